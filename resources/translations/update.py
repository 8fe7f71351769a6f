"""Regenerate the Persian translation: lupdate over desk_app/ui, fill new messages, lrelease.

    .venv/bin/python resources/translations/update.py

`desk_fa.ts` is the source of truth (Qt Linguist can edit it); lupdate keeps every translation
already in it. Messages that are still unfinished are filled from FA below when it has them;
anything left is listed and the script exits 1 (tests/test_ui_i18n.py fails on it too).
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TS = HERE / "desk_fa.ts"
QM = HERE / "desk_fa.qm"
BIN = Path(sys.executable).parent

FA = {
    "Cancel request": "ابطال درخواست",
    "Cancel request %1?": "درخواست %1 ابطال شود؟",
    "Reason": "علت",
    "Refund (rials)": "مبلغ بازپرداخت (ریال)",
    "Cancel the request": "ابطال درخواست",
    "Back": "بازگشت",
    "Write the reason for cancelling.": "علت ابطال را بنویسید.",
    "Service title or code": "عنوان یا کد خدمت",
    "Import catalog file…": "ورود فایل فهرست خدمات…",
    "Catalog version: %1 — %2 services": "نسخهٔ فهرست خدمات: %1 — %2 خدمت",
    "Catalog file": "فایل فهرست خدمات",
    "Catalog %1 imported: %2 services.": "فهرست خدمات %1 وارد شد: %2 خدمت.",
    "Sync now": "همگام‌سازی اکنون",
    "Syncing…": "در حال همگام‌سازی…",
    "Not synced yet": "هنوز همگام‌سازی نشده",
    "Online": "برخط",
    "Offline": "برون‌خط",
    "Waiting to send: %1": "در صف ارسال: %1",
    "needs attention: %1": "نیازمند بررسی: %1",
    "Last sync: %1": "آخرین همگام‌سازی: %1",
    "Last sync: never": "آخرین همگام‌سازی: هرگز",
    "Oldest waiting: %1": "قدیمی‌ترین مورد در صف: %1",
    "less than a minute": "کمتر از یک دقیقه",
    "%1 min": "%1 دقیقه",
    "%1 h": "%1 ساعت",
    "%1 days": "%1 روز",
    "Fee": "هزینه",
    "Amount": "مبلغ",
    "Government fee": "هزینهٔ دولتی",
    "Office fee": "کارمزد دفتر",
    "Postage": "هزینهٔ پست",
    "National code": "کد ملی",
    "First name": "نام",
    "Last name": "نام خانوادگی",
    "Mobile": "تلفن همراه",
    "Service": "خدمت",
    "Fees": "هزینه‌ها",
    "Required documents": "مدارک لازم",
    "Cash": "نقدی",
    "Card (POS)": "کارت (کارت‌خوان)",
    "Payment": "پرداخت",
    "Card reference": "شمارهٔ پیگیری کارت‌خوان",
    "Save and print (Ctrl+S)": "ثبت و چاپ (Ctrl+S)",
    "New citizen": "مراجعهٔ جدید",
    "Print receipt again": "چاپ دوبارهٔ رسید",
    "%n digit(s) typed; a national code has 10.": "%n رقم وارد شده؛ کد ملی ۱۰ رقم است.",
    "Valid national code": "کد ملی معتبر است",
    "Known citizen: details filled in": "متقاضی آشناست: مشخصات پر شد",
    "Total: %1": "جمع: %1",
    "Choose a service to see its fees.": "برای دیدن هزینه‌ها، خدمت را انتخاب کنید.",
    "Enter the first name.": "نام را وارد کنید.",
    "Enter the last name.": "نام خانوادگی را وارد کنید.",
    "Choose a service.": "خدمت را انتخاب کنید.",
    "Enter the card machine's reference number.": "شمارهٔ پیگیری کارت‌خوان را وارد کنید.",
    "Saved. Receipt number: %1": "ثبت شد. شمارهٔ رسید: %1",
    "No printer is set up; choose one in the settings.": "چاپگری تنظیم نشده است؛ در «تنظیمات» انتخاب کنید.",
    "The request is saved, but the receipt did not print: %1": "درخواست ثبت شد، اما رسید چاپ نشد: %1",
    "Pishkhan Desk: log in": "میز پیشخوان: ورود",
    "Username": "نام کاربری",
    "Password": "گذرواژه",
    "Log in": "ورود",
    "Exit": "خروج",
    "Enter your username.": "نام کاربری را وارد کنید.",
    "Enter your password.": "گذرواژه را وارد کنید.",
    "Pishkhan Desk": "میز پیشخوان",
    "Intake": "پذیرش",
    "Requests": "درخواست‌ها",
    "Shift": "شیفت",
    "Reports": "گزارش‌ها",
    "Users": "کاربران",
    "Services": "خدمات",
    "Settings": "تنظیمات",
    "Work in progress": "کار در جریان است",
    "Some work is still running (saving, printing or sync). Close when it is done?": "کاری هنوز در جریان است (ثبت، چاپ یا همگام‌سازی). پس از پایان آن بسته شود؟",
    "New user": "کاربر جدید",
    "New password": "گذرواژهٔ جدید",
    "Clerk": "کارمند",
    "Manager": "مدیر",
    "Full name": "نام و نام خانوادگی",
    "Role": "نقش",
    "Save": "ذخیره",
    "Cancel": "انصراف",
    "Enter a username.": "نام کاربری را وارد کنید.",
    "The password must have at least 6 characters.": "گذرواژه باید دست‌کم ۶ نویسه باشد.",
    "Day": "روز",
    "Show": "نمایش",
    "Save PDF…": "ذخیرهٔ PDF…",
    "Save CSV…": "ذخیرهٔ CSV…",
    "Print": "چاپ",
    "Per service": "به تفکیک خدمت",
    "Per clerk": "به تفکیک کارمند",
    "Per payment method": "به تفکیک روش پرداخت",
    "Enter a day, e.g. 1405/09/08.": "روز را وارد کنید، مانند ۱۴۰۵/۰۹/۰۸.",
    "Preparing the report…": "در حال آماده‌سازی گزارش…",
    "Day: %1": "روز: %1",
    "Requests: %1, total %2": "درخواست‌ها: %1، جمع %2",
    "Cancellations: %1, refunds %2": "ابطال‌ها: %1، بازپرداخت %2",
    "Reprints: %1; waiting to send: %2": "چاپ مجدد: %1؛ در صف ارسال: %2",
    "Save the daily report": "ذخیرهٔ گزارش روزانه",
    "Working…": "در حال انجام…",
    "Done: %1": "انجام شد: %1",
    "Receipt no.": "شمارهٔ رسید",
    "Date": "تاریخ",
    "Citizen": "متقاضی",
    "Total": "جمع",
    "Status": "وضعیت",
    "Sync": "ارسال",
    "Tracking code": "کد رهگیری",
    "Name, national code, receipt no. or tracking code": "نام، کد ملی، شمارهٔ رسید یا کد رهگیری",
    "Words find first and last names in any order, also inside a name; digits find the end"
    " of a receipt no. or tracking code, or a national code.": (
        "واژه‌ها نام و نام خانوادگی را به هر ترتیبی و حتی درون نام پیدا می‌کنند (رضا، محمدرضا را هم می‌یابد)؛"
        " رقم‌ها پایان شمارهٔ رسید یا کد رهگیری، یا کد ملی را پیدا می‌کنند."
    ),
    "All statuses": "همهٔ وضعیت‌ها",
    "code": "کد",
    "username": "نام کاربری",
    "Only needs attention": "فقط موارد نیازمند بررسی",
    "Search": "جست‌وجو",
    "From": "از",
    "The start date is after the end date.": "تاریخ آغاز بازه پس از تاریخ پایان آن است.",
    "To": "تا",
    "Note": "توضیح",
    "History": "سابقه",
    "Reprint receipt": "چاپ مجدد رسید",
    "Print form": "چاپ فرم",
    "Cancel request…": "ابطال درخواست…",
    "Send again": "ارسال دوباره",
    "%1 requests": "%1 درخواست",
    "Printing…": "در حال چاپ…",
    "Receipt printed again.": "رسید دوباره چاپ شد.",
    "The receipt did not print: %1": "رسید چاپ نشد: %1",
    "Save the form as PDF": "ذخیرهٔ فرم به صورت PDF",
    "The form is ready.": "فرم آماده است.",
    "The request was cancelled.": "درخواست ابطال شد.",
    "It will be sent again at the next sync.": "در همگام‌سازی بعدی دوباره فرستاده می‌شود.",
    "Item": "مورد",
    "Count": "تعداد",
    "Refunds": "بازپرداخت",
    "Code": "کد",
    "Agency": "دستگاه",
    "Total fee": "جمع هزینه",
    "Active": "فعال",
    "Yes": "بله",
    "No": "خیر",
    "Office and server": "دفتر و سرور",
    "Server address": "نشانی سرور استان",
    "Device token": "توکن دستگاه",
    "Enrol with the server": "ثبت دستگاه در سرور",
    "Receipt printer": "چاپگر رسید",
    "No printer": "بدون چاپگر",
    "Network (ESC/POS, port 9100)": "شبکه (ESC/POS، درگاه ۹۱۰۰)",
    "USB (ESC/POS)": "USB (ESC/POS)",
    "Serial port (ESC/POS)": "درگاه سریال (ESC/POS)",
    "File or device (ESC/POS)": "فایل یا دستگاه (ESC/POS)",
    "System printer": "چاپگر سیستم",
    "PDF file": "فایل PDF",
    "80 mm": "۸۰ میلی‌متر",
    "58 mm": "۵۸ میلی‌متر",
    "Print the receipt right after saving": "چاپ رسید بلافاصله پس از ثبت",
    "Open the cash drawer after a cash payment": "باز کردن کشوی پول پس از پرداخت نقدی",
    "Printer type": "نوع چاپگر",
    "Address": "نشانی",
    "Paper width": "عرض کاغذ",
    "Print a test page": "چاپ صفحهٔ آزمایشی",
    "Display": "نمایش",
    "Rial": "ریال",
    "Toman": "تومان",
    "Amounts in": "نمایش مبالغ به",
    "Language (after restart)": "زبان (پس از اجرای دوباره)",
    "Save settings": "ذخیرهٔ تنظیمات",
    "%1 (office code %2), device %3": "%1 (کد دفتر %2)، دستگاه %3",
    "Enter the printer's address.": "نشانی چاپگر را وارد کنید.",
    "Settings saved.": "تنظیمات ذخیره شد.",
    "Enter the server address.": "نشانی سرور را وارد کنید.",
    "Enter the device token.": "توکن دستگاه را وارد کنید.",
    "Enrolled. Syncing now…": "دستگاه ثبت شد. در حال همگام‌سازی…",
    "Asking the provincial server…": "در حال پرسش از سرور استان…",
    "The test page was sent.": "صفحهٔ آزمایشی فرستاده شد.",
    "Pishkhan Desk: first set-up": "میز پیشخوان: راه‌اندازی نخست",
    "This computer is not set up yet. Enter the office and this counter's device number, and create the manager's account.": "این رایانه هنوز راه‌اندازی نشده است. کد دفتر و شمارهٔ دستگاه این باجه را وارد کنید و حساب مدیر را بسازید.",
    "Office code": "کد دفتر",
    "Office name": "نام دفتر",
    "Device number": "شمارهٔ دستگاه",
    "Manager username": "نام کاربری مدیر",
    "Manager full name": "نام و نام خانوادگی مدیر",
    "Repeat password": "تکرار گذرواژه",
    "Work offline for now (enrol later from the settings)": "فعلاً برون‌خط کار می‌کنم (ثبت دستگاه بعداً از «تنظیمات»)",
    "Enrol with the provincial server now": "هم‌اکنون در سرور استان ثبت شود",
    "Set up": "راه‌اندازی",
    "The two passwords differ.": "دو گذرواژه یکسان نیستند.",
    "Open a shift": "باز کردن شیفت",
    "Opening cash (rials)": "موجودی نقدی آغاز (ریال)",
    "Open shift": "باز کردن شیفت",
    "Close the shift": "بستن شیفت",
    "Counted cash (rials)": "نقدی شمارش‌شده (ریال)",
    "Card machine total (rials)": "جمع کارت‌خوان (ریال)",
    "Close shift": "بستن شیفت",
    "No shift is open. A shift opens by itself at the first intake.": "شیفتی باز نیست. با نخستین پذیرش، شیفت خودبه‌خود باز می‌شود.",
    "Shift open since %1, opening cash %2": "شیفت باز از %1، موجودی آغاز %2",
    "The shift is open.": "شیفت باز شد.",
    "The shift is closed.": "شیفت بسته شد.",
    "Method": "روش",
    "Expected": "مورد انتظار",
    "Counted": "شمارش‌شده",
    "Difference": "اختلاف",
    "Card": "کارت",
    "surplus %1": "اضافه %1",
    "shortage %1": "کسری %1",
    "Registered": "ثبت‌شده",
    "Submitted": "ارسال‌شده",
    "In progress": "در حال رسیدگی",
    "Completed": "انجام‌شده",
    "Rejected": "ردشده",
    "Cancelled": "ابطال‌شده",
    "Waiting to send": "در صف ارسال",
    "Sending": "در حال ارسال",
    "At the province": "در سرور استان",
    "Needs attention": "نیازمند بررسی",
    "Not sent (cancelled)": "ارسال‌نشده (ابطال)",
    "Add user…": "افزودن کاربر…",
    "Reset password…": "تغییر گذرواژه…",
    "Deactivate / activate": "غیرفعال / فعال کردن",
    "User %1 was added.": "کاربر %1 افزوده شد.",
    "Choose a user first.": "ابتدا کاربر را انتخاب کنید.",
    "The password was changed.": "گذرواژه تغییر کرد.",
    "Saved.": "ذخیره شد.",
    "Name of the A4 printer": "نام چاپگر A4",
    "Operation": "عملیات",
    "Answer": "پاسخ سرور",
    "Registration": "ثبت",
    "Cancellation": "ابطال",
    "Conflict": "ناسازگاری",
    "Refused": "نپذیرفت",
    "Close": "بستن",
    "Choose an item first.": "ابتدا یک مورد را انتخاب کنید.",
    "Needs attention…": "موارد نیازمند بررسی…",
    "Save shift report (PDF)…": "ذخیرهٔ گزارش شیفت (PDF)…",
    "The shift report is ready.": "گزارش شیفت آماده است.",
    "Whole office (from the server)": "کل دفتر (از سرور استان)",
    "PDF, CSV and print use every counter's totals from the provincial server; without the server, this computer's figures and a note.": "PDF، CSV و چاپ، جمع همهٔ باجه‌ها را از سرور استان می‌گیرند؛ بدون سرور، ارقام همین رایانه با یک یادداشت.",
    "The unfinished form of last time was brought back.": "فرم نیمه‌کارهٔ دفعهٔ قبل بازگردانده شد.",
    "The daily backup failed: %1": "پشتیبان روزانه گرفته نشد: %1",
    "Today's backup was written: %1": "پشتیبان امروز نوشته شد: %1",
    "Shift-close backup written: %1": "پشتیبان پایان شیفت نوشته شد: %1",
    "The shift-close backup failed: %1": "پشتیبان پایان شیفت نوشته نشد: %1",
    "(system certificates)": "(گواهی‌های سیستم)",
    "Choose…": "انتخاب…",
    "Server CA file (PEM)": "پروندهٔ گواهی مرجع سرور (PEM)",
    "This is not a readable PEM certificate file.": "این پرونده، گواهی PEM خواندنی نیست.",
    "Server CA file": "پروندهٔ گواهی مرجع سرور",
    "Certificates (*.pem *.crt *.cer);;All files (*)": "گواهی‌ها (*.pem *.crt *.cer);;همهٔ پرونده‌ها (*)",
    "Backups": "پشتیبان‌گیری",
    "Backup passphrase (at least 8 characters)": "رمز پشتیبان (دست‌کم ۸ نویسه)",
    "Repeat the passphrase": "تکرار رمز پشتیبان",
    "Set the backup passphrase": "تعیین رمز پشتیبان",
    "Restore from a backup…": "بازیابی از پشتیبان…",
    "Restore from a backup": "بازیابی از پشتیبان",
    "Backups (*.pdbak);;All files (*)": "پشتیبان‌ها (*.pdbak);;همهٔ پرونده‌ها (*)",
    "The passphrase of this backup:": "رمز این پشتیبان:",
    "Backup passphrase": "رمز پشتیبان",
    "Restoring the backup…": "در حال بازیابی پشتیبان…",
    "This backup is of device %1 of office %2, but this PC is device %3 of office %4.\n\nRestoring it makes this PC device %1. If the PC of device %1 still works, both would give the same receipt numbers to different citizens.\n\nRestore it only if the PC of device %1 is retired (broken, lost or replaced). This PC then gives no receipt number until the province has enrolled it as device %1 (which revokes the old PC's token) and you have entered the new token under Settings.": "این پشتیبان از دستگاه %1 دفتر %2 است، اما این رایانه دستگاه %3 دفتر %4 است.\n\nبا بازیابی آن، این رایانه دستگاه %1 می‌شود. اگر رایانهٔ دستگاه %1 هنوز کار کند، هر دو رایانه رسیدهایی با یک شماره به دو شهروند می‌دهند.\n\nفقط اگر رایانهٔ دستگاه %1 کنار گذاشته شده است (خراب، گم‌شده یا جایگزین‌شده) بازیابی کنید. پس از آن این رایانه تا وقتی سرور استان آن را به نام دستگاه %1 ثبت نکند (که توکن رایانهٔ قبلی را باطل می‌کند) و توکن تازه را در تنظیمات وارد نکنید، شمارهٔ رسید نمی‌دهد.",
    "A backup of another device": "پشتیبانِ دستگاهی دیگر",
    "The old PC is retired: replace it": "رایانهٔ قبلی کنار گذاشته شده است: جایگزین شود",
    "Do not restore": "بازیابی نشود",
    "Nothing was restored.": "چیزی بازیابی نشد.",
    "The backup was restored: %1 requests (office %2, device %3).": "پشتیبان بازیابی شد: %1 درخواست (دفتر %2، دستگاه %3).",
    "This PC gives no receipt number until:": "این رایانه تا انجام این کارها شمارهٔ رسید نمی‌دهد:",
    "Numbering goes on after the last receipt number the provincial server knows.": "شماره‌گذاری رسیدها پس از آخرین شماره‌ای که سرور استان می‌شناسد ادامه می‌یابد.",
    "A backup passphrase is set: a backup is made every day and at each shift close.": "رمز پشتیبان تعیین شده است: هر روز و در پایان هر نوبت کاری، پشتیبان رمزنگاری‌شده گرفته می‌شود.",
    "No backup passphrase yet: no automatic backup is made until you set one.": "رمز پشتیبان هنوز تعیین نشده است: تا آن را تعیین نکنید، پشتیبان خودکار گرفته نمی‌شود.",
    "At least %1 characters.": "دست‌کم %1 نویسه.",
    "The two passphrases differ.": "دو رمز یکسان نیستند.",
    "Backup passphrase saved. Keep a copy somewhere safe off this PC: without it no backup can be opened.": "رمز پشتیبان ذخیره شد. آن را جای امنی بیرون از این رایانه هم نگه دارید: بی آن، هیچ پشتیبانی باز نمی‌شود.",
    "Nothing needs attention: the province accepted everything sent.": "چیزی نیازمند بررسی نیست: استان هرچه فرستاده شده را پذیرفته است.",
    "Lock (Ctrl+Shift+L)": "قفل (Ctrl+Shift+L)",
    "Log out (Ctrl+Shift+Q)": "خروج از حساب (Ctrl+Shift+Q)",
    "No automatic backup: no backup passphrase is set (Settings → Backups).": "پشتیبان خودکار گرفته نمی\u200cشود: رمز پشتیبان تعیین نشده است (تنظیمات ← پشتیبان\u200cها).",
    "Close Pishkhan Desk": "بستن میز پیشخوان",
    "Closing the window ends the demo: its provincial server stops too, and nothing is synced until the demo starts again. To hand the counter to someone else, log out instead.": "بستن پنجره نسخهٔ نمایشی را تمام می\u200cکند: سرور استانی آن هم متوقف می\u200cشود و تا اجرای دوبارهٔ نسخهٔ نمایشی چیزی همگام نمی\u200cشود. برای سپردن باجه به کس دیگر، به جای آن از حساب خارج شوید.",
    "Close and stop the server": "بستن و توقف سرور",
    "Log out instead": "خروج از حساب به جای بستن",
    "Exit the demo? Its provincial server stops too.": "از نسخهٔ نمایشی خارج می\u200cشوید؟ سرور استانی آن هم متوقف می\u200cشود.",
    "The demo's provincial server has stopped (exit code %1). The app goes on offline: requests wait in the queue. Start the demo again to sync them.": "سرور استانی نسخهٔ نمایشی متوقف شده است (کد خروج %1). برنامه برون\u200cخط ادامه می\u200cدهد: درخواست\u200cها در صف می\u200cمانند. برای همگام\u200cسازی، نسخهٔ نمایشی را دوباره اجرا کنید.",
    "Demo server stopped": "سرور نمایشی متوقف شده است",
    "Pishkhan Desk is locked": "میز پیشخوان قفل است",
    "The window is locked. %1, enter your password to go on.": "پنجره قفل است. %1، برای ادامه گذرواژهٔ خود را وارد کنید.",
    "Unlock": "باز کردن قفل",
    "Log in as another user": "ورود با کاربر دیگر",
    "Opened at": "زمان شروع",
    "Cash expected": "نقدی مورد انتظار",
    "Card expected": "کارتی مورد انتظار",
    "%1 unfinished intake form(s): the clerk must save or discard them first.": "%1 فرم نیمه\u200cکارهٔ پذیرش: متصدی باید نخست آن\u200cها را ثبت یا حذف کند.",
    "ask the manager (%1) to choose one under Settings": "از مدیر دفتر (%1) بخواهید در «تنظیمات» چاپگری انتخاب کند",
    "ask the office manager to choose one under Settings": "از مدیر دفتر بخواهید در «تنظیمات» چاپگری انتخاب کند",
    "No receipt printer is set up: print the receipt from the preview, or choose a printer under Settings → Receipt printer.": "چاپگر رسید تنظیم نشده است: رسید را از پیش\u200cنمایش چاپ کنید، یا در «تنظیمات ← چاپگر رسید» چاپگری انتخاب کنید.",
    "No receipt printer is set up: print the receipt from the preview, or %1.": "چاپگر رسید تنظیم نشده است: رسید را از پیش\u200cنمایش چاپ کنید، یا %1.",
    "Receipt saved as PDF: %1": "رسید به صورت PDF ذخیره شد: %1",
    "Receipt printed.": "رسید چاپ شد.",
    "(copy %1)": "(رونوشت %1)",
    "Automatic printing is off: print the receipt with «Print receipt again».": "چاپ خودکار خاموش است: رسید را با «چاپ دوبارهٔ رسید» چاپ کنید.",
    "Printing the receipt…": "در حال چاپ رسید…",
    "The receipt preview could not be made: %1": "پیش\u200cنمایش رسید ساخته نشد: %1",
    "Receipt %1": "رسید %1",
    "original": "اصل",
    "copy %1": "رونوشت %1",
    "The receipt exactly as the thermal printer gets it (%1 dots wide), %2.": "رسید همان\u200cگونه که چاپگر حرارتی آن را می\u200cگیرد (%1 نقطه پهنا)، %2.",
    "Print (Ctrl+P)": "چاپ (Ctrl+P)",
    "Print on another printer…": "چاپ با چاپگری دیگر…",
    "Save as PDF… (Ctrl+Shift+S)": "ذخیره به صورت PDF… (Ctrl+Shift+S)",
    "Close (Esc)": "بستن (Esc)",
    "Print on a printer of this PC… (Ctrl+P)": "چاپ با یکی از چاپگرهای این رایانه… (Ctrl+P)",
    "No printer is installed on this PC: save the receipt as PDF, or %1.": "هیچ چاپگری روی این رایانه نصب نیست: رسید را به صورت PDF ذخیره کنید، یا %1.",
    "Print the receipt": "چاپ رسید",
    "Printer of this PC:": "چاپگر این رایانه:",
    "Looking for this PC's printers…": "در جست\u200cوجوی چاپگرهای این رایانه…",
    "Save the receipt as PDF": "ذخیرهٔ رسید به صورت PDF",
    "A further print is marked as a copy.": "چاپ بعدی «رونوشت» خواهد بود.",
    "Requests: %1, received %2 (cancelled and refunded requests included)": "درخواست\u200cها: %1، جمع دریافتی %2 (با درخواست\u200cهای لغو و استردادشده)",
    "Net received (after refunds): %1": "خالص دریافتی (پس از کسر استرداد): %1",
    "Still open (their cash is not counted yet): %1": "شیفت\u200cهای هنوز باز (صندوقشان شمرده نشده): %1",
    "%1 since %2": "%1 از %2",
    "Shifts: none this day.": "شیفت\u200cها: در این روز شیفتی نبود.",
    "Shifts: %1 closed, %2 still open.": "شیفت\u200cها: %1 بسته، %2 هنوز باز.",
    "The shift of %1 was counted and closed by %2.": "صندوق شیفت %1 را %2 شمرد و شیفت را بست.",
    "PDF files in a folder (one file per receipt)": "پرونده\u200cهای PDF در یک پوشه (برای هر رسید یک پرونده)",
    "Choose folder…": "انتخاب پوشه…",
    "Show the receipt on screen after each save (it shows anyway without a printer)": "پس از هر ثبت، رسید روی صفحه نشان داده شود (بی چاپگر همیشه نشان داده می\u200cشود)",
    "never": "هرگز",
    " min": " دقیقه",
    "Lock the window after this long without use": "قفل پنجره پس از این مدت بی\u200cکاری",
    "Only a manager can change these settings. To set up or change the receipt printer (now: %1), ask %2.": "فقط مدیر دفتر می\u200cتواند این تنظیمات را تغییر دهد. برای تنظیم یا تغییر چاپگر رسید (اکنون: %1) از %2 بخواهید.",
    "Only a manager can change these settings. To set up or change the receipt printer (now: %1), ask the office manager.": "فقط مدیر دفتر می\u200cتواند این تنظیمات را تغییر دهد. برای تنظیم یا تغییر چاپگر رسید (اکنون: %1) از مدیر دفتر بخواهید.",
    "You may print a test page.": "چاپ صفحهٔ آزمایشی برای شما هم ممکن است.",
    "The printer's IP address or name and port, e.g. HOST:9100.": "نشانی IP یا نام چاپگر و درگاه آن، به شکل HOST:9100.",
    "The USB vendor and product id in hex, as VID:PID.": "شناسهٔ سازنده و محصول USB در مبنای ۱۶، به شکل VID:PID.",
    "The serial port (COM3 on Windows).": "درگاه سریال (در ویندوز مانند COM3).",
    "A device file the printer is attached to.": "پروندهٔ دستگاهی که چاپگر به آن وصل است.",
    "The name of the printer in the system's printer list.": "نام چاپگر در فهرست چاپگرهای سیستم.",
    "Every receipt becomes a new PDF file in this folder; none is written over.": "هر رسید یک پروندهٔ PDF تازه در این پوشه می\u200cشود؛ هیچ رسیدی روی رسید دیگر نوشته نمی\u200cشود.",
    "Folder": "پوشه",
    "Choose the folder for the receipts' PDF files.": "پوشهٔ پرونده\u200cهای PDF رسیدها را انتخاب کنید.",
    "Choose a printer type first.": "نخست نوع چاپگر را انتخاب کنید.",
    "Folder for the receipts' PDF files": "پوشهٔ پرونده\u200cهای PDF رسیدها",
    "Settings saved (nothing had changed).": "تنظیمات ذخیره شد (چیزی تغییر نکرده بود).",
    "Close the shift?": "شیفت بسته شود؟",
    "Close the shift of %1, counted by %2?": "شیفت %1 با شمارش %2 بسته شود؟",
    "It is recorded as closed by %1 for %2.": "ثبت می\u200cشود که %1 به جای %2 شیفت را بسته است.",
    "Close your shift (%1)?": "شیفت شما (%1) بسته شود؟",
    "Opened %1 with %2; %3 request(s), %4 cancellation(s).": "آغاز %1 با موجودی %2؛ %3 درخواست، %4 ابطال.",
    "The counted amounts differ from what is expected. Count again if unsure.": "مبلغ شمارش\u200cشده با مبلغ مورد انتظار یکی نیست. اگر مطمئن نیستید دوباره بشمارید.",
    "Close the shift (Enter)": "بستن شیفت (Enter)",
    "Back (Esc)": "بازگشت (Esc)",
    "Close shift…": "بستن شیفت…",
    "Back to my own shift": "بازگشت به شیفت خودم",
    "Open shifts on this PC": "شیفت\u200cهای باز این رایانه",
    "Count and close the selected shift": "شمارش و بستن شیفت انتخاب\u200cشده",
    "Only your own shift is open on this PC.": "فقط شیفت خود شما روی این رایانه باز است.",
    "No shift is open on this PC.": "هیچ شیفتی روی این رایانه باز نیست.",
    "%1 shift(s) open, %2 of other users. Choose one to count its cash and close it.": "%1 شیفت باز، %2 شیفت از کاربران دیگر. یکی را برای شمارش صندوق و بستن انتخاب کنید.",
    "Close the shift of %1 (counted by you)": "بستن شیفت %1 (با شمارش شما)",
    "Close the shift of %1…": "بستن شیفت %1…",
    "Count the drawer of %1: cash %2 and card %3 are expected.": "صندوق %1 را بشمارید: نقدی %2 و کارتی %3 مورد انتظار است.",
    "The shift is still open.": "شیفت همچنان باز است.",
    "The shift of %1 is closed, counted by you.": "شیفت %1 با شمارش شما بسته شد.",
    "No backup was made at this shift close: %1": "در پایان این شیفت پشتیبانی گرفته نشد: %1",
    "no difference": "بدون اختلاف",
    "Lock": "قفل",
    "Lock the window until your password (Ctrl+Shift+L)": "قفل پنجره تا وارد کردن گذرواژه (Ctrl+Shift+L)",
    "Log out": "خروج از حساب",
    "Back to the login window; the app keeps running (Ctrl+Shift+Q)": "بازگشت به پنجرهٔ ورود؛ برنامه باز می\u200cماند (Ctrl+Shift+Q)",
    "On the receipt printer (Ctrl+P)": "با چاپگر رسید (Ctrl+P)",
    "An A5 page on a printer of this PC": "یک برگ A5 با یکی از چاپگرهای این رایانه",
    "Save as PDF…": "ذخیره به صورت PDF…",
    "Save as PDF (Ctrl+Shift+S)": "ذخیره به صورت PDF (Ctrl+Shift+S)",
    "Print on a printer of this PC…": "چاپ با یکی از چاپگرهای این رایانه…",
    "An A5 page on a printer of this PC (Ctrl+P)": "یک برگ A5 با یکی از چاپگرهای این رایانه (Ctrl+P)",
}


def _more_translations() -> None:
    """Translations kept beside this script in `fa_*.json` ({source: Persian}): one file per piece
    of work, so two branches adding strings do not both edit FA above."""
    import json

    for path in sorted(HERE.glob("fa_*.json")):
        FA.update(json.loads(path.read_text(encoding="utf-8")))


_more_translations()


def unfinished(ts: Path = TS) -> list[str]:
    """Sources of messages that have no finished translation."""
    tree = ET.parse(ts)
    missing = []
    for message in tree.iter("message"):
        translation = message.find("translation")
        forms = [f.text for f in translation.findall("numerusform")] if translation is not None else []
        text = translation.text if translation is not None else None
        if (
            translation is None
            or translation.get("type") in ("unfinished", "vanished", "obsolete")
            or not (text or any(forms))
        ):
            missing.append(message.find("source").text)
    return missing


def fill(ts: Path = TS) -> int:
    tree = ET.parse(ts)
    filled = 0
    for message in tree.iter("message"):
        source = message.find("source").text
        translation = message.find("translation")
        if translation.get("type") != "unfinished" or source not in FA:
            continue
        if message.get("numerus") == "yes":
            for form in list(translation):
                translation.remove(form)
            form = ET.SubElement(translation, "numerusform")
            form.text = FA[source]
        else:
            translation.text = FA[source]
        del translation.attrib["type"]
        filled += 1
    tree.write(ts, encoding="utf-8", xml_declaration=True)
    return filled


def main() -> int:
    sources = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "desk_app" / "ui").glob("*.py"))
    subprocess.run(
        [str(BIN / "pyside6-lupdate"), *sources, "-ts", str(TS.relative_to(ROOT)), "-no-obsolete"], cwd=ROOT, check=True
    )
    print(f"filled {fill()} messages")
    subprocess.run([str(BIN / "pyside6-lrelease"), str(TS), "-qm", str(QM)], cwd=ROOT, check=True)
    extra = HERE / "qtbase_extra_fa.ts"  # Qt's own dialog strings qtbase_fa lacks (ui/i18n.py)
    subprocess.run(
        [str(BIN / "pyside6-lrelease"), str(extra), "-qm", str(extra.with_suffix(".qm"))], cwd=ROOT, check=True
    )
    missing = unfinished()
    for source in missing:
        print("untranslated:", source)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
