"""Submitted text is data: the XSS corpus stays inert on the status page and in
the admin (queue, submission page, correction panel, dashboard)."""

import pytest

from contributions import services
from contributions.models import Submission
from editorial.roles import AUTHOR
from tests.factories import make_incident, make_term, make_user
from tests.test_xss import PAYLOADS, _check_html

pytestmark = pytest.mark.django_db


def test_payloads_in_every_submitted_field_stay_text(client):
    make_incident(title="A chatbot leaked addresses")
    term = make_term()
    author = make_user("alice", role=AUTHOR)
    pages = ["/admin/", "/admin/contributions/submission/"]
    for n, payload in enumerate(PAYLOADS):
        report, token = services.receive(
            kind=Submission.Kind.REPORT,
            title=payload[:240],
            description=payload,
            source_urls=f"{payload}\nhttps://example.org/{n}\njavascript:alert({n})",
            organisations=payload,
            submitter_name=payload[:120],
            proposed_text=payload,
        )
        if n % 2:
            services.reject(report, by=author, reason=payload)
        correction, _ = services.receive(
            kind=Submission.Kind.CORRECTION,
            target=term,
            description=payload,
            proposed_text=payload,
            source_urls=payload,
        )
        pages += [
            f"/submit/status/{token}/",
            f"/admin/contributions/submission/{report.pk}/change/",
            f"/admin/contributions/submission/{correction.pk}/change/",
            f"/admin/glossary/term/{term.pk}/change/?suggestion={correction.pk}",
        ]
    client.force_login(author)
    problems = []
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        problems += [
            problem
            for problem in _check_html(url, response.content.decode())
            # The admin's own same-origin translation catalogue.
            if "('src', '/admin/jsi18n/')" not in problem
        ]
    assert not problems, "\n".join(problems[:40])
