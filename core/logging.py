"""Log records that can be traced to a request: the request id (core.middleware) travels in
a context variable into every record, and production writes one JSON object per line."""

import contextvars
import json
import logging
import traceback
from datetime import UTC, datetime

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        if not hasattr(record, "request_id"):
            # django.request logs a 4xx/5xx after the middleware has returned; its record
            # carries the request itself.
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request id, traceback."""

    def format(self, record):
        data = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id_var.get()),
            "process": record.process,
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            data["status"] = status
        if record.exc_info:
            data["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            data["traceback"] = "".join(traceback.format_exception(*record.exc_info))
        return json.dumps(data, ensure_ascii=False)


def build_logging(*, level="INFO", log_dir=None, json_format=False) -> dict:
    """The LOGGING dict: console always; with `log_dir` also `<log_dir>/django.log` (every
    record at `level`) — `make run` sets DJANGO_LOG_DIR=.local/log."""
    formatter = "json" if json_format else "plain"
    handlers = {"console": {"class": "logging.StreamHandler", "formatter": formatter, "filters": ["request_id"]}}
    if log_dir:
        handlers["file"] = {"class": "logging.handlers.WatchedFileHandler", "filename": f"{log_dir}/django.log",
                            "formatter": formatter, "filters": ["request_id"], "encoding": "utf-8"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "core.logging.RequestIdFilter"}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {"()": "core.logging.JsonFormatter"},
        },
        "handlers": handlers,
        "root": {"handlers": list(handlers), "level": level},
        "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"},
                    "django.security": {"level": "WARNING"},
                    # PDF rendering (core.printing) logs every step at INFO; only its problems matter.
                    "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
    }
