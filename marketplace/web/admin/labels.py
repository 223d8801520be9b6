"""The operator's pages say codes in words: the label helpers every admin template uses."""

from __future__ import annotations

from marketplace.services import labels
from marketplace.web.admin import bp


@bp.app_context_processor
def _labels() -> dict:
    return {
        "status_label": labels.status_label,
        "action_label": labels.action_label,
        "subject_label": labels.subject_label,
        "role_label": labels.role_label,
        "action_families": labels.FAMILIES,
    }
