"""Controlled vocabularies as Wagtail snippets under one "Vocabularies" menu; the File fixity report."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import VOCABULARY_MODELS, ReturnReason
from .views import FixityReportView, may_see_fixity


def _viewset_for(vocabulary_model):
    list_display = ["name", "code", "sort_order", "is_active"]
    list_filter = ["is_active"]
    if vocabulary_model is ReturnReason:
        list_display.insert(2, "applies_to")
        list_filter.append("applies_to")
    return type(
        f"{vocabulary_model.__name__}ViewSet",
        (SnippetViewSet,),
        {
            "model": vocabulary_model,
            "icon": "list-ul",
            "list_display": list_display,
            "list_filter": list_filter,
            "search_fields": ["name", "code"],
            "ordering": ["sort_order", "name"],
        },
    )


class VocabularyViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Vocabularies")
    menu_icon = "list-ul"
    menu_order = 800
    items = [_viewset_for(model) for model in VOCABULARY_MODELS]


register_snippet(VocabularyViewSetGroup)


@hooks.register("register_admin_urls")
def register_fixity_urls():
    return [path("reports/file-fixity/", FixityReportView.as_view(), name="repository_fixity")]


class FixityMenuItem(MenuItem):
    def is_shown(self, request):
        return may_see_fixity(request.user)


@hooks.register("register_reports_menu_item")
def register_fixity_report_item():
    return FixityMenuItem(
        _("File fixity"), reverse("repository_fixity"), icon_name="doc-full", order=900
    )
