"""`{% load credential_stats %}{% public_credential_counts %}`: the CLMD page's section of
micro-credentials awarded (loaded by the template, so `cms` never imports this app)."""

from django import template

from credentials.public_counts import awarded_counts

register = template.Library()


@register.inclusion_tag("credentials/public_counts.html")
def public_credential_counts():
    """Awards by division and achievement, small cells hidden as in the enrolment tables."""
    table = awarded_counts()
    return {"table": table, "threshold": table.threshold if table else None}
