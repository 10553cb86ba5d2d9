# This file is part of the MLM suite. See LICENSE for details.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class LegalTextError(AccessError):
    pass


class ApplicationError(UserError):
    pass


class ProfileRequestError(UserError):
    pass


class DownloadError(ValidationError):
    pass
