from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_demo_accounts_get_new_passwords_and_the_hint_names_the_served_address():
    out = StringIO()
    call_command("create_demo_accounts", "--site", "http://127.0.0.1:8123/", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8123/admin/" in text and ":8000" not in text
    for username in ("author", "reviewer", "admin"):
        line = next(
            line for line in text.splitlines() if line.split()[:1] == [username]
        )
        user = get_user_model().objects.get(username=username)
        assert user.is_staff and user.check_password(line.split()[1])
