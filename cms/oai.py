"""OAI-PMH 2.0 data provider at /oai/ (metadata format `oai_dc`), so other repositories can harvest.

Records are the resource pages that have ever been published. A live page is a full record; a
withdrawn (unpublished) page is a header with status="deleted". Lists are paged with stateless
resumption tokens carrying the request and the last primary key delivered.
"""

import base64
import binascii
import json
from datetime import UTC, datetime, time
from xml.etree import ElementTree as ET

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from cms.models import ResourcePage
from cms.site_setup import absolute_url

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
ET.register_namespace("", OAI)
ET.register_namespace("oai_dc", OAI_DC)
ET.register_namespace("dc", DC)
ET.register_namespace("xsi", XSI)

EARLIEST = datetime(2020, 1, 1, tzinfo=UTC)
VERBS = {
    "Identify": ({"verb"}, set()),
    "ListMetadataFormats": ({"verb", "identifier"}, set()),
    "ListSets": ({"verb", "resumptionToken"}, set()),
    "GetRecord": ({"verb", "identifier", "metadataPrefix"}, {"identifier", "metadataPrefix"}),
    "ListIdentifiers": (
        {"verb", "from", "until", "metadataPrefix", "set", "resumptionToken"},
        set(),
    ),
    "ListRecords": ({"verb", "from", "until", "metadataPrefix", "set", "resumptionToken"}, set()),
}


class OAIError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def page_size():
    return int(getattr(settings, "ALSMIS_OAI_PAGE_SIZE", 100))


def repository_identifier():
    """The namespace part of OAI identifiers (oai:<this>:<uuid>)."""
    return getattr(settings, "ALSMIS_OAI_REPOSITORY_IDENTIFIER", "alsmis.deped-car")


def oai_identifier(page):
    return f"oai:{repository_identifier()}:{page.submission.uuid}"


def _tag(ns, name):
    return f"{{{ns}}}{name}"


def _sub(parent, name, text=None, ns=OAI, **attrs):
    element = ET.SubElement(parent, _tag(ns, name), {k: str(v) for k, v in attrs.items()})
    if text is not None:
        element.text = str(text)
    return element


def _stamp(value):
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_date(value, *, end):
    """Parse an OAI from/until argument (day or seconds granularity) to an aware datetime."""
    try:
        if len(value) == 10:
            day = datetime.strptime(value, "%Y-%m-%d").date()
            return datetime.combine(day, time.max if end else time.min, tzinfo=UTC), "day"
        parsed = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        return parsed, "seconds"
    except ValueError as error:
        raise OAIError("badArgument", f"'{value}' is not a valid UTC date.") from error


def _records():
    return (
        ResourcePage.objects.filter(first_published_at__isnull=False, oai_datestamp__isnull=False)
        .select_related("submission")
        .order_by("pk")
    )


def _encode_token(data):
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()


def _decode_token(token):
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()).decode())
        if not isinstance(data, dict) or not isinstance(data.get("after"), int):
            raise ValueError
        return data
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise OAIError("badResumptionToken", "The resumption token is invalid.") from error


def _page_for_identifier(identifier):
    prefix = f"oai:{repository_identifier()}:"
    if not identifier.startswith(prefix):
        raise OAIError("idDoesNotExist", f"No record has the identifier '{identifier}'.")
    page = _records().filter(submission__uuid__iexact=identifier[len(prefix) :]).first()
    if page is None:
        raise OAIError("idDoesNotExist", f"No record has the identifier '{identifier}'.")
    return page


def _header(parent, page):
    header = _sub(parent, "header")
    if not page.live:
        header.set("status", "deleted")
    _sub(header, "identifier", oai_identifier(page))
    _sub(header, "datestamp", _stamp(page.oai_datestamp))
    return header


def _dc(parent, page, request):
    container = _sub(parent, "metadata")
    dc = _sub(
        container,
        "dc",
        ns=OAI_DC,
        **{_tag(XSI, "schemaLocation"): f"{OAI_DC} http://www.openarchives.org/OAI/2.0/oai_dc.xsd"},
    )
    _sub(dc, "title", page.title, ns=DC)
    for author in [a.strip() for a in page.authors.split(",") if a.strip()]:
        _sub(dc, "creator", author, ns=DC)
    facets = list(page.facet_values.all())
    subjects = [k.strip() for k in page.keywords.split(",") if k.strip()]
    subjects += [f.label for f in facets if f.facet == "strand"]
    for subject in subjects:
        _sub(dc, "subject", subject, ns=DC)
    if page.summary:
        _sub(dc, "description", page.summary, ns=DC)
    _sub(dc, "publisher", ", ".join(p for p in (page.origin_name, page.region_name) if p), ns=DC)
    if page.date_published:
        _sub(dc, "date", page.date_published.isoformat(), ns=DC)
    _sub(dc, "type", page.kind_label, ns=DC)
    _sub(dc, "type", "Text" if page.kind != "story" else "Text; Image", ns=DC)
    main = page.main_file
    if main is not None:
        _sub(dc, "format", main.mime_type, ns=DC)
    _sub(dc, "identifier", page.full_url, ns=DC)
    for language in [f.label for f in facets if f.facet == "language"]:
        _sub(dc, "language", language, ns=DC)
    rights = dict(page.details).get("copyright")
    if rights:
        _sub(dc, "rights", rights, ns=DC)


def _record(parent, page, request):
    record = _sub(parent, "record")
    _header(record, page)
    if page.live:
        _dc(record, page, request)


def _check_prefix(prefix):
    if prefix != "oai_dc":
        raise OAIError(
            "cannotDisseminateFormat", f"The metadata format '{prefix}' is not supported."
        )


def identify(root, args, request):
    body = _sub(root, "Identify")
    _sub(body, "repositoryName", getattr(settings, "WAGTAIL_SITE_NAME", "ALS MIS"))
    # The site's public address, whatever host the harvester used.
    _sub(body, "baseURL", absolute_url(request.path))
    _sub(body, "protocolVersion", "2.0")
    _sub(
        body, "adminEmail", getattr(settings, "ALSMIS_OAI_ADMIN_EMAIL", "als-mis@deped-car.example")
    )
    earliest = _records().order_by("oai_datestamp").values_list("oai_datestamp", flat=True).first()
    _sub(body, "earliestDatestamp", _stamp(earliest or EARLIEST))
    _sub(body, "deletedRecord", "transient")
    _sub(body, "granularity", "YYYY-MM-DDThh:mm:ssZ")


def list_metadata_formats(root, args, request):
    if "identifier" in args:
        _page_for_identifier(args["identifier"])
    body = _sub(root, "ListMetadataFormats")
    fmt = _sub(body, "metadataFormat")
    _sub(fmt, "metadataPrefix", "oai_dc")
    _sub(fmt, "schema", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd")
    _sub(fmt, "metadataNamespace", OAI_DC)


def list_sets(root, args, request):
    if "resumptionToken" in args:
        raise OAIError("badResumptionToken", "The resumption token is invalid.")
    raise OAIError("noSetHierarchy", "This repository does not support sets.")


def get_record(root, args, request):
    _check_prefix(args["metadataPrefix"])
    page = _page_for_identifier(args["identifier"])
    _record(_sub(root, "GetRecord"), page, request)


def _list(root, args, request, verb):
    if "resumptionToken" in args:
        if set(args) - {"verb", "resumptionToken"}:
            raise OAIError("badArgument", "resumptionToken is an exclusive argument.")
        state = _decode_token(args["resumptionToken"])
    else:
        if "metadataPrefix" not in args:
            raise OAIError("badArgument", "metadataPrefix is required.")
        state = {
            "prefix": args["metadataPrefix"],
            "from": args.get("from"),
            "until": args.get("until"),
            "after": 0,
        }
        if "set" in args:
            raise OAIError("noSetHierarchy", "This repository does not support sets.")
    _check_prefix(state.get("prefix"))
    records = _records()
    granularities = set()
    if state.get("from"):
        start, granularity = _parse_date(state["from"], end=False)
        granularities.add(granularity)
        records = records.filter(oai_datestamp__gte=start)
    if state.get("until"):
        until, granularity = _parse_date(state["until"], end=True)
        granularities.add(granularity)
        records = records.filter(oai_datestamp__lte=until)
    if len(granularities) > 1:
        raise OAIError("badArgument", "from and until must have the same granularity.")
    if state.get("from") and state.get("until") and start > until:
        raise OAIError("badArgument", "from is later than until.")
    total = records.count()
    delivered = records.filter(pk__lte=state["after"]).count()
    batch = list(records.filter(pk__gt=state["after"])[: page_size()])
    if not batch:
        if "resumptionToken" in args:
            raise OAIError("badResumptionToken", "The resumption token is no longer valid.")
        raise OAIError("noRecordsMatch", "No records match the request.")
    body = _sub(root, verb)
    for page in batch:
        if verb == "ListRecords":
            _record(body, page, request)
        else:
            _header(body, page)
    remaining = total - delivered - len(batch)
    if remaining > 0 or "resumptionToken" in args:
        token = _encode_token({**state, "after": batch[-1].pk}) if remaining > 0 else ""
        _sub(body, "resumptionToken", token, completeListSize=total, cursor=delivered)


HANDLERS = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "GetRecord": get_record,
    "ListIdentifiers": lambda root, args, request: _list(root, args, request, "ListIdentifiers"),
    "ListRecords": lambda root, args, request: _list(root, args, request, "ListRecords"),
}


def _arguments(request):
    """The request's arguments as a dict; repeated arguments are a badArgument."""
    source = request.POST if request.method == "POST" else request.GET
    args = {}
    for key in source:
        values = source.getlist(key)
        if len(values) > 1:
            raise OAIError("badArgument", f"The argument '{key}' is repeated.")
        args[key] = values[0]
    return args


@csrf_exempt
@require_http_methods(["GET", "POST", "HEAD"])
def oai_pmh(request):
    """The OAI-PMH endpoint: one verb per request, XML out, protocol errors as <error> elements."""
    root = ET.Element(
        _tag(OAI, "OAI-PMH"),
        {
            _tag(XSI, "schemaLocation"): f"{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd",
        },
    )
    _sub(root, "responseDate", _stamp(timezone.now()))
    request_element = _sub(root, "request", absolute_url(request.path))
    try:
        args = _arguments(request)
        verb = args.get("verb")
        if verb not in VERBS:
            raise OAIError("badVerb", "The verb is missing or not an OAI-PMH verb.")
        allowed, required = VERBS[verb]
        illegal = set(args) - allowed
        if illegal:
            raise OAIError("badArgument", f"Illegal argument(s): {', '.join(sorted(illegal))}.")
        missing = required - set(args)
        if missing:
            raise OAIError("badArgument", f"Missing argument(s): {', '.join(sorted(missing))}.")
        for key, value in args.items():
            request_element.set(key, value)
        HANDLERS[verb](root, args, request)
    except OAIError as error:
        if error.code in ("badVerb", "badArgument"):
            request_element.attrib.clear()
        _sub(root, "error", error.message, code=error.code)
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return HttpResponse(body, content_type="text/xml; charset=utf-8")
