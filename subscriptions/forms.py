from django import forms


class FollowForm(forms.Form):
    email = forms.EmailField(
        max_length=254,
        label="Your email address",
        help_text="We send one confirmation link first; nothing else before you "
        "open it.",
    )
    target = forms.CharField(max_length=120, widget=forms.HiddenInput)
    # A honeypot, hidden from people: bots fill it in.
    website = forms.CharField(required=False, label="Leave this empty")
