"""`{% load staff_branding %}{% staff_site_name %}`: the name the staff pages carry (sign-in page,
window titles, logo), from the one setting Wagtail names its admin by, WAGTAIL_SITE_NAME."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def staff_site_name():
    """The system's name on the staff pages ("ALS MIS")."""
    return settings.WAGTAIL_SITE_NAME
