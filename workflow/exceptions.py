"""Errors of the workflow service; each carries an HTTP-like status code and a message for people."""

from django.utils.translation import gettext_lazy as _


class WorkflowError(Exception):
    """Base class: `.status_code`, `.message` and optional `.details` for the UI and the API."""

    status_code = 400
    default_message = _("The action could not be completed.")

    def __init__(self, message=None, details=None):
        self.message = str(message or self.default_message)
        self.details = details
        super().__init__(self.message)


class PermissionDeniedForTransition(WorkflowError):
    status_code = 403
    default_message = _("You may not take this action on this submission.")


class TransitionNotAvailable(WorkflowError):
    status_code = 409
    default_message = _("This action is not available for the submission in its current state.")


class StaleSubmission(WorkflowError):
    status_code = 409
    default_message = _("This submission changed, reload.")


class IncompleteSubmission(WorkflowError):
    status_code = 409
    default_message = _("The submission is incomplete.")


class ValidationFailed(WorkflowError):
    status_code = 400
    default_message = _("Please correct the errors.")


class ReviewInvalid(WorkflowError):
    status_code = 400
    default_message = _("The review is not valid.")
