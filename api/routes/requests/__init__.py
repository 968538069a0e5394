"""Data requests (依申请): applying for a conditional dataset, following the request by its
receipt, and reviewing requests.

common   the stores, the bounded body, the dataset applied for, filing (API and form alike)
apply    `POST /api/v1/datasets/{slug}/requests`, the form `/dataset/{slug}/apply`
status   `/requests/{receipt}`, `/api/v1/requests/{receipt}`, withdrawing
review   `/review`: login by token, the list (overdue first), approve and deny with CSRF
"""

from fastapi import APIRouter

from api.routes.requests import apply, review, status
from api.routes.requests.common import install_requests

router = APIRouter()
router.include_router(apply.router)
router.include_router(status.router)
router.include_router(review.router)

__all__ = ["install_requests", "router"]
