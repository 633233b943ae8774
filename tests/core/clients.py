"""A signed-in test client; privileged roles get their session marked as second-factor verified."""

from django.test import Client


def signed_in(user) -> Client:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    session = client.session
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client
