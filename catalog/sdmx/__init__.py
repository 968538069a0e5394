"""SDMX-REST 1.x (SDMX-ML 2.1) for the indicator datasets: dataflows, data structure
definitions, code lists, the concept scheme, and data by key and period.

    catalogue          which datasets are indicator datasets (by schema); their structures
    codelists          indicator, region, period type and unit code lists
    keys               structure and flow references, series keys, and their bounds
    periods            published periods as SDMX time periods, and the days they cover
    observations       the bounded read of one dataflow's rows
    markup             what every SDMX-ML message shares (namespaces, header, references)
    structuremessages  Structure messages, with `references=`
    datamessages       GenericData and StructureSpecificData
    negotiation        the format an `Accept` header asks for (parameters, `q`)
    service            one request's answer and its ETag, before its body is made
    errors             the SDMX errors with their standard codes
"""

from catalog.sdmx.catalogue import content_version
from catalog.sdmx.codelists import unit_code
from catalog.sdmx.errors import (
    BadSyntax,
    NoResults,
    NotAcceptable,
    SdmxError,
    TooLarge,
    Unavailable,
    Unsupported,
)
from catalog.sdmx.keys import AGENCY, MAX_ALTERNATIVES, MAX_KEY_CHARS
from catalog.sdmx.markup import error_message
from catalog.sdmx.negotiation import negotiate
from catalog.sdmx.observations import MAX_OBSERVATIONS
from catalog.sdmx.periods import sdmx_period
from catalog.sdmx.service import (
    ERROR_TYPE,
    GENERIC_TYPE,
    RESOURCES,
    SPECIFIC_TYPE,
    STRUCTURE_TYPE,
    SdmxAnswer,
    SdmxService,
)

__all__ = [
    "AGENCY",
    "ERROR_TYPE",
    "GENERIC_TYPE",
    "MAX_ALTERNATIVES",
    "MAX_KEY_CHARS",
    "MAX_OBSERVATIONS",
    "RESOURCES",
    "SPECIFIC_TYPE",
    "STRUCTURE_TYPE",
    "BadSyntax",
    "NoResults",
    "NotAcceptable",
    "SdmxAnswer",
    "SdmxError",
    "SdmxService",
    "TooLarge",
    "Unavailable",
    "Unsupported",
    "content_version",
    "error_message",
    "negotiate",
    "sdmx_period",
    "unit_code",
]
