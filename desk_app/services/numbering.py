"""The one rule on *when* this PC may hand out a receipt number (intake calls it in its transaction).

After a restore the database may be another PC's, or an older copy of this one's, so no number is
given until the provincial server's `hello` has confirmed which device this is and given its last
known receipt number (`desk_app.sync.identity`). Call `require_confirmed_device(session)` inside the
write transaction that takes the number, before taking it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from desk_app.domain.errors import InvalidInput
from desk_app.sync import identity

MSG_AFTER_RESTORE = (
    "پس از بازیابی پشتیبان، هنوز شمارهٔ رسید داده نمی‌شود: سرور استان باید نخست تأیید کند این رایانه "
    "کدام دستگاه است و آخرین شمارهٔ رسید آن چیست، وگرنه ممکن است شماره‌ای دوباره داده شود که روی رسید "
    "دیگری چاپ شده است. رایانه را به شبکه وصل کنید و همگام‌سازی کنید (دکمهٔ همگام‌سازی، یا desk-app sync --once)؛ "
    "پس از آن ثبت درخواست ممکن است."
)
MSG_REPLACED = (
    "این رایانه با بازیابی پشتیبان جای دستگاه دیگری را گرفته است و تا سرور استان آن را به نام آن دستگاه "
    "نشناسد شمارهٔ رسید نمی‌دهد (دو رایانه نباید یک شماره بدهند). از سرور استان توکن تازهٔ این دستگاه را "
    "بگیرید (provincial-server device enrol، که توکن رایانهٔ قبلی را باطل می‌کند)، آن را ثبت کنید "
    "(تنظیمات، یا desk-app enrol) و همگام‌سازی کنید."
)


def require_confirmed_device(session: Session) -> None:
    """Refuse (InvalidInput, Persian: why and what to do) while the device is unconfirmed."""
    reason = identity.unconfirmed_reason(session)
    if reason == identity.REPLACED:
        raise InvalidInput(MSG_REPLACED, "device")
    if reason is not None:
        raise InvalidInput(MSG_AFTER_RESTORE, "device")
