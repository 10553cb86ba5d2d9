# This file is part of the MLM suite. See LICENSE for details.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class SponsorError(ValidationError):
    pass


class PlacementError(ValidationError):
    pass


class MoveError(UserError):
    pass


class StatusError(UserError):
    pass


class TaxStatusError(ValidationError):
    pass


class CustomerAssignmentError(ValidationError):
    pass


class RankRecordError(ValidationError):
    pass


class GenealogyAccessError(AccessError):
    pass


class ImportError_(UserError):
    pass
