"""Plausible synthetic prose for the corpus, assembled from small word lists.

Every sentence is built from templates and vocabularies written for the
benchmark; nothing is copied from real reporting. A pool of sentences is made
once per run and paragraphs draw from it, which keeps generation fast while
the texts still differ from entry to entry.
"""

import random

ORG_PREFIXES = (
    "Altavia Aster Bluefen Brightmoor Calder Cobalt Corvane Deltaray Eastmere "
    "Emberly Fairhold Fernwick Glasswing Granite Halcyon Harbourline Ironleaf "
    "Juniper Kestrel Lakemont Lumen Marrow Meridian Northgate Novalis Oakridge "
    "Orchid Palisade Quarry Redwater Rivermark Saltmarsh Silverline Solace "
    "Stonebridge Tallis Thornfield Umberlight Valemont Westerly Willowby Yarrow "
    "Zephyr Ashgrove Beacon Cinder Driftwood Evergreen Foxglove"
).split()
ORG_SUFFIXES = (
    "Analytics|Labs|Systems|Health|Bank|Insurance|Logistics|Robotics|Media|"
    "Telecom|Energy|Security|AI|Data|Mobility|Retail|Capital|Networks|Cloud|"
    "Foundation|Ministry of Digital Affairs|City Council|University|Police Service|"
    "Hospital Trust|Employment Agency|Credit Union|News Group|Games|Biotech"
).split("|")

ADJECTIVES = (
    "adversarial autonomous synthetic covert opaque unvetted miscalibrated "
    "unsupervised persistent cascading latent emergent deceptive biased brittle "
    "unmonitored automated generative predictive scraped poisoned unlabelled "
    "overconfident delegated federated multimodal proprietary open-weight"
).split()
NOUNS = (
    "model agent pipeline classifier chatbot assistant dataset recommender "
    "scoring system voice clone face matcher copilot planner retriever "
    "plug-in workflow feed ranking engine sensor fusion stack triage tool "
    "forecasting service moderation filter"
).split()
TERM_HEADS = (
    "Injection Poisoning Drift Leakage Inversion Extraction Hijacking Spoofing "
    "Collapse Amplification Laundering Evasion Escalation Exfiltration Bias "
    "Hallucination Overreliance Manipulation Profiling Impersonation Inference "
    "Misalignment Gaming Contamination Backdoor Jailbreak Watermarking Audit "
    "Provenance Sandboxing Red-Teaming Attribution Fingerprinting Throttling"
).split()
TERM_MODIFIERS = (
    "Prompt Gradient Reward Memory Context Tool Goal Label Feature Membership "
    "Voice Identity Consensus Dataset Weight Token Retrieval Embedding Policy "
    "Sensor Credential Supply-Chain Agent Model Output Preference Feedback "
    "Benchmark Shadow Latent Specification Capability Distribution Attention "
    "Oversight Calibration Consent Biometric Location Synthetic"
).split()
TERM_QUALIFIERS = (
    "Indirect Cross-Domain Multi-Agent Persistent Silent Recursive Targeted "
    "Large-Scale Zero-Shot Covert Automated Emergent Sequential Federated "
    "Distributed Adaptive Latent Incremental Transferable Universal"
).split()

SUBJECTS = (
    "The deployer",
    "The vendor",
    "An internal audit",
    "Independent researchers",
    "The regulator",
    "A whistleblower",
    "Affected users",
    "The operating team",
    "A civil-society group",
    "Court filings",
    "The incident report",
    "Security analysts",
    "The company's own review",
    "Journalists",
    "The oversight board",
)
VERBS = (
    "found that",
    "reported that",
    "confirmed that",
    "alleged that",
    "showed that",
    "documented how",
    "concluded that",
    "warned that",
    "noted that",
    "estimated that",
)
CLAUSES = (
    "the {adj} {noun} kept acting on stale instructions",
    "the {noun} ranked applicants by a proxy for postcode",
    "a {adj} {noun} approved requests no human had reviewed",
    "the {noun} produced confident answers without any source",
    "attackers slipped instructions into documents the {noun} later read",
    "the {adj} {noun} exposed records of thousands of customers",
    "staff accepted the {noun}'s output without checking it",
    "error rates were far higher for older and disabled users",
    "the {noun} was retrained on data that had been quietly altered",
    "the {adj} {noun} escalated its own permissions over several days",
    "cloned voices were used to authorise payments",
    "fabricated images spread faster than the corrections",
    "the {noun} inferred health conditions from purchase histories",
    "logs of the {adj} {noun} were kept for far longer than disclosed",
    "the {noun} failed silently when sensor input degraded",
    "thresholds had been tuned on a sample that missed whole regions",
    "the {adj} {noun} passed the same flawed answer to other agents",
    "the {noun} was deployed before its safety evaluation finished",
    "appeals were rejected by the same {noun} that made the decision",
    "a {adj} {noun} reproduced training data word for word",
)
TAILS = (
    "",
    "",
    "",
    " within weeks of launch",
    " across several countries",
    " despite earlier warnings",
    " during a routine update",
    " for at least two years",
    " after a change of supplier",
    " while the review was still open",
    " in a pilot that was later extended",
    " without notifying the people affected",
)
REASONS = (
    "Incentives reward shipping features faster than testing them.",
    "Training data rarely reflects the people a system is used on.",
    "Oversight staff are too few for the volume of automated decisions.",
    "Vendors disclose little about how their models were evaluated.",
    "Permissions granted to agents are broader than their tasks need.",
    "Outputs look fluent, so errors are hard to notice.",
    "Feedback loops reinforce whatever the system already favours.",
    "Rules written for human decisions do not map onto automated ones.",
    "Monitoring stops once a system is declared in production.",
    "Attackers adapt faster than static filters are updated.",
    "Responsibility is split between developer, deployer and operator.",
    "Cheap generation makes large-scale abuse economical.",
)
FACTS = (
    "Thousands of people were affected before the system was paused.",
    "The operator acknowledged the fault in a public statement.",
    "A regulator opened proceedings within three months.",
    "The model had not been evaluated on the affected group.",
    "Manual review covered fewer than one in a hundred decisions.",
    "Compensation was offered to a subset of those harmed.",
    "The feature was withdrawn in the affected markets.",
    "Researchers reproduced the behaviour on a public version.",
    "The vendor issued a patch but did not publish details.",
    "Internal warnings predated the launch by several months.",
    "The harm was discovered by an outside researcher, not the operator.",
    "Logs needed to reconstruct events had already been deleted.",
)
PUBLISHERS = (
    "Digital Rights Review|Tech Accountability Desk|Journal of AI Safety|"
    "Data Protection Authority|Consumer Watch|Algorithm Audit Lab|"
    "The Evening Ledger|Civil Liberties Forum|AI Incident Archive|"
    "Standards Council|Court Records Office|Open Security Bulletin"
).split("|")
SOURCE_TITLES = (
    "What went wrong with the {noun}",
    "Inquiry into the {adj} {noun}",
    "Decision on the use of an automated {noun}",
    "Audit of {org}'s {noun}",
    "How a {adj} {noun} failed the people it served",
    "Technical analysis: {adj} {noun} behaviour",
    "Complaint filed against {org}",
    "{org} responds to questions about its {noun}",
)
FINANCIAL = ("", "", "", "US$1.2M", "EUR 450,000", "US$25M", "GBP 3M", "US$310,000")
REGULATORY = (
    "",
    "",
    "The data protection authority issued a fine and ordered deletion.",
    "A court ordered the system to be suspended pending review.",
    "The regulator required an independent audit within six months.",
)


class Prose:
    """A seeded text source; one instance per generator run."""

    def __init__(self, rng: random.Random, pool_size: int = 20000) -> None:
        self.rng = rng
        self.pool = [self._sentence() for _ in range(pool_size)]

    def _fill(self, template: str, org: str = "") -> str:
        choice = self.rng.choice
        return template.format(adj=choice(ADJECTIVES), noun=choice(NOUNS), org=org)

    def _sentence(self) -> str:
        choice = self.rng.choice
        clause = self._fill(choice(CLAUSES))
        return f"{choice(SUBJECTS)} {choice(VERBS)} {clause}{choice(TAILS)}."

    def sentence(self) -> str:
        return self.rng.choice(self.pool)

    def paragraph(self, sentences: int, footnotes: int = 0) -> str:
        """Return a paragraph; with `footnotes`, some sentences cite [n]."""
        parts = self.rng.choices(self.pool, k=sentences)
        if footnotes:
            for i in range(0, sentences, 2):
                n = self.rng.randint(1, footnotes)
                parts[i] = f"{parts[i][:-1]} [{n}]."
        return " ".join(parts)

    def paragraphs(self, low: int, high: int, footnotes: int = 0) -> str:
        count = self.rng.randint(low, high)
        return "\n\n".join(
            self.paragraph(self.rng.randint(3, 5), footnotes) for _ in range(count)
        )

    def lines(self, pool: tuple[str, ...], low: int, high: int) -> str:
        return "\n".join(self.rng.sample(pool, self.rng.randint(low, high)))

    def org_name(self) -> str:
        return f"{self.rng.choice(ORG_PREFIXES)} {self.rng.choice(ORG_SUFFIXES)}"

    def incident_title(self, org: str) -> str:
        clause = self._fill(self.rng.choice(CLAUSES))
        return f"{org}: {clause}"[:240]

    def source_title(self, org: str) -> str:
        return self._fill(self.rng.choice(SOURCE_TITLES), org)

    def term_name(self) -> str:
        choice = self.rng.choice
        shape = self.rng.random()
        if shape < 0.45:
            return f"{choice(TERM_MODIFIERS)} {choice(TERM_HEADS)}"
        if shape < 0.8:
            return (
                f"{choice(TERM_QUALIFIERS)} {choice(TERM_MODIFIERS)} "
                f"{choice(TERM_HEADS)}"
            )
        return (
            f"{choice(TERM_QUALIFIERS)} {choice(TERM_MODIFIERS)} "
            f"{choice(TERM_MODIFIERS)} {choice(TERM_HEADS)}"
        )
