"""Outbound channels: each backend sends one text to one user, or raises SendError saying why not.

Chosen in settings with GRIDGOV_NOTIFY_BACKENDS (codes below, or dotted paths to a Backend subclass); their
addresses come from settings or, failing that, environment variables of the same name.
"""

import base64
import hashlib
import hmac
import json
import logging
import os
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.utils.module_loading import import_string

log = logging.getLogger("gridgov.notifications")


class SendError(Exception):
    """The channel did not take the message; the delivery will be retried."""


def setting(name: str, default=""):
    """A backend's setting: Django settings first, then the environment."""
    value = getattr(settings, name, None)
    return value if value not in (None, "") else os.environ.get(name, default)


def post_json(url: str, payload: dict, headers: dict | None = None, timeout: float = 10) -> dict:
    """POST a JSON body; return the JSON reply (or {}), raising SendError on a transport or HTTP error."""
    body = json.dumps(payload, ensure_ascii=False).encode()
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - the URL is the operator's setting
            raw = resp.read()
    except urllib.error.HTTPError as exc:
        raise SendError(f"HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise SendError(f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}") from None
    try:
        return json.loads(raw or b"{}")
    except ValueError:
        return {}


class Backend:
    """A channel; `reaches(user)` says whether it has an address for the user."""

    code = ""
    label = ""

    def reaches(self, user) -> bool:
        return True

    def send(self, user, text: str, *, urgent: bool = False) -> None:
        raise NotImplementedError


class ConsoleBackend(Backend):
    """Write the message to the log: the default, for laptops and the demo."""

    code, label = "console", "日志"

    def send(self, user, text, *, urgent=False):
        log.warning("通知 → %s：%s", user.username, text)


class SmsBackend(Backend):
    """An SMS gateway over HTTP: POST {"phone", "text", "urgent"} as JSON to GRIDGOV_SMS_URL."""

    code, label = "sms", "短信"

    def reaches(self, user):
        return bool(user.phone)

    def send(self, user, text, *, urgent=False):
        url = setting("GRIDGOV_SMS_URL")
        if not url:
            raise SendError("未配置短信网关地址 GRIDGOV_SMS_URL")
        token = setting("GRIDGOV_SMS_TOKEN")
        reply = post_json(url, {"phone": user.phone, "text": text, "urgent": urgent},
                          {"Authorization": f"Bearer {token}"} if token else None)
        if reply.get("ok") is False or reply.get("code") not in (None, 0, "0", "OK", "ok"):
            raise SendError(f"短信网关拒绝：{str(reply)[:200]}")


class WeComBackend(Backend):
    """企业微信 group robot: {"msgtype": "text", "text": {"content", "mentioned_mobile_list"}}; errcode 0 is success."""

    code, label = "wecom", "企业微信"

    def send(self, user, text, *, urgent=False):
        url = setting("GRIDGOV_WECOM_WEBHOOK")
        if not url:
            raise SendError("未配置企业微信机器人地址 GRIDGOV_WECOM_WEBHOOK")
        content = {"content": text}
        if user.phone:
            content["mentioned_mobile_list"] = [user.phone]
        reply = post_json(url, {"msgtype": "text", "text": content})
        if reply.get("errcode", 0) != 0:
            raise SendError(f"企业微信：{reply.get('errcode')} {reply.get('errmsg', '')}"[:300])


class DingTalkBackend(Backend):
    """钉钉 group robot: {"msgtype": "text", "text": {"content"}, "at": {"atMobiles"}}, signed when a secret is set."""

    code, label = "dingtalk", "钉钉"

    def send(self, user, text, *, urgent=False):
        url = setting("GRIDGOV_DINGTALK_WEBHOOK")
        if not url:
            raise SendError("未配置钉钉机器人地址 GRIDGOV_DINGTALK_WEBHOOK")
        secret = setting("GRIDGOV_DINGTALK_SECRET")
        if secret:
            url = signed_url(url, secret)
        reply = post_json(url, {"msgtype": "text", "text": {"content": text},
                                "at": {"atMobiles": [user.phone] if user.phone else [], "isAtAll": False}})
        if reply.get("errcode", 0) != 0:
            raise SendError(f"钉钉：{reply.get('errcode')} {reply.get('errmsg', '')}"[:300])


def signed_url(url: str, secret: str, now_ms: int | None = None) -> str:
    """钉钉's 加签: timestamp and base64(HMAC-SHA256(secret, "timestamp\\nsecret")) appended to the webhook."""
    ts = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={ts}&sign={sign}"


class EmailBackend(Backend):
    """E-mail through Django's configured mail backend, with a timeout (GRIDGOV_EMAIL_TIMEOUT seconds, default 10)
    so a stuck mail server fails the attempt instead of freezing the sender."""

    code, label = "email", "电子邮件"

    def reaches(self, user):
        return bool(user.email)

    def send(self, user, text, *, urgent=False):
        subject = ("【紧急】" if urgent else "") + text.split("：", 1)[0][:60]
        try:
            connection = get_connection(timeout=float(setting("GRIDGOV_EMAIL_TIMEOUT", 10)))
            send_mail(subject, text, setting("DEFAULT_FROM_EMAIL", "gridgov@localhost"), [user.email],
                      connection=connection)
        except Exception as exc:  # noqa: BLE001 - any SMTP failure is a failed attempt, retried later
            raise SendError(f"{type(exc).__name__}: {exc}"[:300]) from None


BUILTIN = {b.code: b for b in (ConsoleBackend, SmsBackend, WeComBackend, DingTalkBackend, EmailBackend)}


def configured() -> dict[str, Backend]:
    """The backends chosen in settings, by code (a dotted path's code is its class attribute)."""
    chosen = getattr(settings, "GRIDGOV_NOTIFY_BACKENDS", None) or ["console"]
    found = {}
    for name in chosen:
        cls = BUILTIN.get(name) or import_string(name)
        found[cls.code or name] = cls()
    return found
