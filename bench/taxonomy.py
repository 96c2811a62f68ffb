"""The vocabularies the corpus hangs on: reuse what is there, else create them.

When the demo data is loaded, its 8 domains, patterns, dimensions, categories
and frameworks are reused. On an empty database a small taxonomy of our own is
created and published through the services (a few hundred rows: exactness
matters more than speed here).
"""

import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.text import slugify

from editorial.services import publish
from glossary.models import Category
from incidents import models as tax

DOMAINS = [
    ("AGT", "agentic-autonomous", "Agentic & Autonomous Systems", "Agentic & Autonomy"),
    ("CTL", "human-ai-control", "Human Control of AI", "Human-AI Control"),
    ("ECO", "economic-labor", "Economic & Labour Harms", "Economic & Labor"),
    ("INF", "information-integrity", "Information Integrity", "Information"),
    ("PRI", "privacy-surveillance", "Privacy & Surveillance", "Privacy"),
    ("SEC", "security-cyber", "Security & Cyber Threats", "Security & Cyber"),
    (
        "SOC",
        "discrimination-social-harm",
        "Discrimination & Social Harm",
        "Social Harm",
    ),
    ("SYS", "systemic-catastrophic", "Systemic & Catastrophic Risk", "Systemic"),
]
PATTERNS = {
    "AGT": "Goal Drift|Tool Misuse & Privilege Escalation|Memory Poisoning|"
    "Agent-to-Agent Propagation|Unbounded Task Delegation|Reward Hacking in Agents",
    "CTL": "Overreliance & Automation Bias|Loss of Meaningful Oversight|"
    "Opaque Automated Decisions|Deskilling of Operators|Alarm Fatigue",
    "ECO": "Algorithmic Management|Automated Dismissal|Automated Valuation Failure|"
    "Labour Displacement Shock|Pricing Collusion by Algorithm",
    "INF": "Disinformation Campaigns|Misinformation & Hallucinated Content|"
    "Synthetic Media Manipulation|Consensus Reality Erosion|"
    "Deepfake Identity Hijacking|Citation Fabrication",
    "PRI": "Sensitive Attribute Inference|Behavioral Profiling Without Consent|"
    "Mass Biometric Surveillance|Model Inversion & Data Extraction|"
    "Location Tracking by Inference",
    "SEC": "Prompt Injection|Automated Vulnerability Discovery|Model Supply-Chain "
    "Compromise|Training Data Poisoning|Jailbreak Markets|Voice-Clone Fraud",
    "SOC": "Allocational Harm|Data Imbalance Bias|Representational Harm|"
    "Biased Facial Recognition|Exclusion by Design",
    "SYS": "AI-Assisted Biological Threat Design|Lethal Autonomous Weapons|"
    "Critical Infrastructure Cascade|Concentration of Capability|"
    "Runaway Self-Improvement",
}
VOCABULARIES = {
    tax.AffectedGroup: "Children|General Public|Vulnerable Communities|Workers|"
    "Business Organizations|Critical Infrastructure Operators|Developers & AI "
    "Builders|Government Institutions|Democratic Institutions|National Security "
    "Systems|Society at Large",
    tax.Sector: "Healthcare|Financial Services|Law Enforcement|Education|National "
    "Security|Employment|Technology|Government|Media|Transport|Retail|Energy",
    tax.Region: "North America|Europe|Asia|Latin America|Africa|Middle East|Oceania|"
    "Global",
    tax.ExposurePathway: "Direct Interaction|Algorithmic Decision Impact|"
    "Adversarial Targeting|Infrastructure Dependency|Economic Displacement",
    tax.CausalFactor: "Insufficient Safety Testing|Inadequate Access Controls|"
    "Regulatory Gap|Over-Automation|Training Data Bias|Prompt Injection "
    "Vulnerability|Misaligned Incentives|Weak Monitoring|Opaque Vendor Models|"
    "Poor Data Governance|Excessive Agent Permissions|Missing Human Review|"
    "Unvalidated Third-Party Components|Deceptive Design|Rushed Deployment",
    tax.Asset: "Large Language Models|Training Datasets|Decision Automation|"
    "Biometric Systems|Recommender Systems|Autonomous Vehicles|Generative Image "
    "Models|Voice Synthesis|AI Agents|Model Weights|Scoring Models|Sensor Networks",
    tax.HarmType: "Financial|Operational|Rights Violation|Physical|Psychological|"
    "Reputational|Discrimination",
}
CATEGORIES = (
    "AI Capability|Failure Mode|Governance Concept|Harm Mechanism|Attack Technique|"
    "Technical Concept"
)
FRAMEWORKS = (
    ("MIT AI Risk Repository", "mit-ai-risk-repository"),
    ("EU AI Act", "eu-ai-act"),
    ("NIST AI RMF", "nist-ai-rmf"),
)


def staff(prefix: str, count: int, group: str) -> list[int]:
    """Return the ids of `count` staff users `<prefix>-N`, created when missing."""
    model = get_user_model()
    group_row = Group.objects.filter(name=group).first()
    ids = []
    for n in range(1, count + 1):
        user, created = model.objects.get_or_create(
            username=f"{prefix}-{n}",
            defaults={"is_staff": True, "email": f"{prefix}-{n}@example.org"},
        )
        if created:
            user.set_unusable_password()
            user.save()
            if group_row:
                user.groups.add(group_row)
        ids.append(user.pk)
    return ids


@transaction.atomic
def ensure(rng: random.Random, by) -> None:
    """Create and publish a taxonomy of our own unless one exists already."""
    for model, names in VOCABULARIES.items():
        if model.objects.exists():
            continue
        for number, name in enumerate(names.split("|"), start=1):
            extra = {}
            if model is tax.AffectedGroup:
                extra["category"] = rng.choice(tax.AffectedGroup.Category.values)
            if model is tax.CausalFactor:
                extra["code"] = f"CAUSE-{number:03d}"
                extra["category"] = rng.choice(tax.CausalFactor.Category.values)
            entry = model.objects.create(
                name=name,
                slug=slugify(name),
                description=f"Entries where {name.lower()} is involved.",
                **extra,
            )
            publish(entry, by=by, comment="Corpus vocabulary")
    if not Category.objects.exists():
        for name in CATEGORIES.split("|"):
            Category.objects.create(name=name, slug=slugify(name))
    if not tax.Framework.objects.exists():
        for name, slug in FRAMEWORKS:
            tax.Framework.objects.create(name=name, slug=slug)
    if tax.Domain.objects.exists():
        return
    frameworks = list(tax.Framework.objects.all())
    groups, sectors = (
        list(tax.AffectedGroup.objects.all()),
        list(tax.Sector.objects.all()),
    )
    patterns = []
    for letters, slug, title, short in DOMAINS:
        domain = tax.Domain.objects.create(
            code=f"DOM-{letters}",
            slug=slug,
            title=title,
            short_title=short,
            tagline=f"How AI systems cause harm through {short.lower()}.",
            definition=f"The domain of {title.lower()}: harms that arise when AI "
            "systems are built, deployed or used in ways that put people at risk.",
            why_distinct="Its harms have their own causes.\nIts remedies differ.",
        )
        for framework in frameworks:
            domain.framework_mappings.create(
                framework=framework, label=f"{framework.name}: {short}"
            )
        publish(domain, by=by, comment="Corpus taxonomy")
        for number, name in enumerate(PATTERNS[letters].split("|"), start=1):
            pattern = tax.ThreatPattern.objects.create(
                code=f"PAT-{letters}-{number:03d}",
                title=name,
                slug=slugify(name),
                tagline=f"{name} in deployed AI systems.",
                definition=f"{name} happens when an AI system's behaviour departs "
                "from what its operators and the people affected expect.",
                why_it_exists="Pressure to ship.\nWeak evaluation.\nOpaque models.",
                severity=rng.choice(tax.Severity.values),
                likelihood=rng.choice(tax.Likelihood.values),
                domain=domain,
            )
            pattern.affected_groups.set(rng.sample(groups, 3))
            pattern.sectors.set(rng.sample(sectors, 3))
            patterns.append(pattern)
    for pattern in patterns:
        others = [p for p in rng.sample(patterns, 3) if p != pattern]
        pattern.related_patterns.add(*others[:2])
    for pattern in patterns:
        publish(pattern, by=by, comment="Corpus taxonomy")
