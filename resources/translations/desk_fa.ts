<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="fa_IR">
<context>
    <name>AttachPanel</name>
    <message>
        <location filename="../../desk_app/ui/attach_panel.py" line="37" />
        <source>%1 page(s)</source>
        <translation>%1 صفحه</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/attach_panel.py" line="43" />
        <source>page %1</source>
        <translation>صفحهٔ %1</translation>
    </message>
</context>
<context>
    <name>AttentionDialog</name>
    <message>
        <location filename="../../desk_app/ui/attention_dialog.py" line="53" />
        <source>Needs attention</source>
        <translation>نیازمند بررسی</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/attention_dialog.py" line="66" />
        <source>Send again</source>
        <translation>ارسال دوباره</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/attention_dialog.py" line="67" />
        <source>Close</source>
        <translation>بستن</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/attention_dialog.py" line="74" />
        <source>Nothing needs attention: the province accepted everything sent.</source>
        <translation>چیزی نیازمند بررسی نیست: استان هرچه فرستاده شده را پذیرفته است.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/attention_dialog.py" line="110" />
        <source>Choose an item first.</source>
        <translation>ابتدا یک مورد را انتخاب کنید.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/attention_dialog.py" line="115" />
        <source>It will be sent again at the next sync.</source>
        <translation>در همگام‌سازی بعدی دوباره فرستاده می‌شود.</translation>
    </message>
</context>
<context>
    <name>AttentionModel</name>
    <message>
        <location filename="../../desk_app/ui/attention_dialog.py" line="28" />
        <source>Receipt no.</source>
        <translation>شمارهٔ رسید</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/attention_dialog.py" line="28" />
        <source>Operation</source>
        <translation>عملیات</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/attention_dialog.py" line="28" />
        <source>Answer</source>
        <translation>پاسخ سرور</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/attention_dialog.py" line="28" />
        <source>Reason</source>
        <translation>علت</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/attention_dialog.py" line="34" />
        <source>Registration</source>
        <translation>ثبت</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/attention_dialog.py" line="34" />
        <source>Cancellation</source>
        <translation>ابطال</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/attention_dialog.py" line="36" />
        <source>Conflict</source>
        <translation>ناسازگاری</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/attention_dialog.py" line="36" />
        <source>Refused</source>
        <translation>نپذیرفت</translation>
    </message>
</context>
<context>
    <name>CancelDialog</name>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="64" />
        <source>Cancel request</source>
        <translation>ابطال درخواست</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="67" />
        <source>Cancel request %1?</source>
        <translation>درخواست %1 ابطال شود؟</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="74" />
        <source>Reason</source>
        <translation>علت</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="75" />
        <source>Refund (rials)</source>
        <translation>مبلغ بازپرداخت (ریال)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="78" />
        <source>Cancel the request</source>
        <translation>ابطال درخواست</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="79" />
        <source>Back</source>
        <translation>بازگشت</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="89" />
        <source>Write the reason for cancelling.</source>
        <translation>علت ابطال را بنویسید.</translation>
    </message>
</context>
<context>
    <name>CatalogPage</name>
    <message>
        <location filename="../../desk_app/ui/catalog_page.py" line="69" />
        <source>Service title or code</source>
        <translation>عنوان یا کد خدمت</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/catalog_page.py" line="72" />
        <source>Import catalog file…</source>
        <translation>ورود فایل فهرست خدمات…</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/catalog_page.py" line="110" />
        <source>Catalog version: %1 — %2 services</source>
        <translation>نسخهٔ فهرست خدمات: %1 — %2 خدمت</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/catalog_page.py" line="120" />
        <source>Catalog file</source>
        <translation>فایل فهرست خدمات</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/catalog_page.py" line="134" />
        <source>Catalog %1 imported: %2 services.</source>
        <translation>فهرست خدمات %1 وارد شد: %2 خدمت.</translation>
    </message>
</context>
<context>
    <name>ChoiceEditor</name>
    <message>
        <location filename="../../desk_app/ui/form_view.py" line="220" />
        <source>Type to search</source>
        <translation>برای جستجو بنویسید</translation>
    </message>
</context>
<context>
    <name>DailyBackup</name>
    <message>
        <location filename="../../desk_app/ui/main_window.py" line="120" />
        <source>The daily backup failed: %1</source>
        <translation>پشتیبان روزانه گرفته نشد: %1</translation>
    </message>
</context>
<context>
    <name>DeskStatusBar</name>
    <message>
        <location filename="../../desk_app/ui/status_bar.py" line="72" />
        <source>Sync now</source>
        <translation>همگام‌سازی اکنون</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/status_bar.py" line="101" />
        <source>Lock</source>
        <translation>قفل</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/status_bar.py" line="103" />
        <source>Lock the window until your password (Ctrl+Shift+L)</source>
        <translation>قفل پنجره تا وارد کردن گذرواژه (Ctrl+Shift+L)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/status_bar.py" line="104" />
        <source>Log out</source>
        <translation>خروج از حساب</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/status_bar.py" line="106" />
        <source>Back to the login window; the app keeps running (Ctrl+Shift+Q)</source>
        <translation>بازگشت به پنجرهٔ ورود؛ برنامه باز می‌ماند (Ctrl+Shift+Q)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/status_bar.py" line="127" />
        <source>Syncing…</source>
        <translation>در حال همگام‌سازی…</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/status_bar.py" line="129" />
        <source>Not synced yet</source>
        <translation>هنوز همگام‌سازی نشده</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/status_bar.py" line="131" />
        <source>Online</source>
        <translation>برخط</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/status_bar.py" line="133" />
        <source>Offline</source>
        <translation>برون‌خط</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/status_bar.py" line="136" />
        <source>Waiting to send: %1</source>
        <translation>در صف ارسال: %1</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/status_bar.py" line="138" />
        <source>needs attention: %1</source>
        <translation>نیازمند بررسی: %1</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/status_bar.py" line="142" />
        <source>Last sync: %1</source>
        <translation>آخرین همگام‌سازی: %1</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/status_bar.py" line="144" />
        <source>Last sync: never</source>
        <translation>آخرین همگام‌سازی: هرگز</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/status_bar.py" line="147" />
        <source>Oldest waiting: %1</source>
        <translation>قدیمی‌ترین مورد در صف: %1</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/status_bar.py" line="166" />
        <source>less than a minute</source>
        <translation>کمتر از یک دقیقه</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/status_bar.py" line="169" />
        <source>%1 min</source>
        <translation>%1 دقیقه</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/status_bar.py" line="172" />
        <source>%1 h</source>
        <translation>%1 ساعت</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/status_bar.py" line="173" />
        <source>%1 days</source>
        <translation>%1 روز</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/status_bar.py" line="215" />
        <source>%1 page(s), %2 queued</source>
        <translation>%1 صفحه، %2 در صف</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/status_bar.py" line="220" />
        <source>Scanned pages waiting to be sent to the province; the time is at the link rate last measured.</source>
        <translation>صفحه‌های اسکن‌شده در صف ارسال به استان؛ زمان با آخرین سرعت اندازه‌گیری‌شدهٔ ارتباط است.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/status_bar.py" line="222" />
        <source>Scanned pages waiting to be sent; the time is shown once a sending has measured the link.</source>
        <translation>صفحه‌های اسکن‌شده در صف ارسال؛ زمان پس از نخستین ارسال که سرعت ارتباط را بسنجد نشان داده می‌شود.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/status_bar.py" line="228" />
        <source>under a minute</source>
        <translation>کمتر از یک دقیقه</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/status_bar.py" line="231" />
        <source>about %1 min</source>
        <translation>حدود %1 دقیقه</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/status_bar.py" line="234" />
        <location filename="../../desk_app/ui/status_bar.py" line="236" />
        <source>about %1 h</source>
        <translation>حدود %1 ساعت</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/status_bar.py" line="237" />
        <source>about %1 h %2 min</source>
        <translation>حدود %1 ساعت و %2 دقیقه</translation>
    </message>
</context>
<context>
    <name>DocumentKeys</name>
    <message>
        <location filename="../../desk_app/ui/attach_panel.py" line="82" />
        <source>Scanned documents of receipt %1</source>
        <translation>مدارک اسکن‌شدهٔ رسید %1</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/attach_panel.py" line="114" />
        <source>Another document</source>
        <translation>مدرک دیگر</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/attach_panel.py" line="128" />
        <source>Scan or attach each document: press its key. Pages are sent after the request.</source>
        <translation>هر مدرک را اسکن یا پیوست کنید: کلید آن را بزنید. صفحه‌ها پس از خود درخواست فرستاده می‌شوند.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/attach_panel.py" line="130" />
        <source>This service lists no documents; Alt+0 attaches any paper.</source>
        <translation>این خدمت مدرکی نام نبرده است؛ با Alt+0 هر برگه‌ای را پیوست کنید.</translation>
    </message>
</context>
<context>
    <name>FeeLinesModel</name>
    <message>
        <location filename="../../desk_app/ui/fee_model.py" line="46" />
        <source>Fee</source>
        <translation>هزینه</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/fee_model.py" line="46" />
        <source>Amount</source>
        <translation>مبلغ</translation>
    </message>
</context>
<context>
    <name>Fees</name>
    <message>
        <location filename="../../desk_app/ui/fee_model.py" line="11" />
        <source>Government fee</source>
        <translation>هزینهٔ دولتی</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/fee_model.py" line="12" />
        <source>Office fee</source>
        <translation>کارمزد دفتر</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/fee_model.py" line="13" />
        <source>Postage</source>
        <translation>هزینهٔ پست</translation>
    </message>
</context>
<context>
    <name>FormView</name>
    <message>
        <location filename="../../desk_app/ui/form_view.py" line="456" />
        <source>From this citizen's earlier request: check it.</source>
        <translation>از درخواست پیشین همین شهروند؛ بررسی کنید.</translation>
    </message>
</context>
<context>
    <name>IntakePage</name>
    <message>
        <location filename="../../desk_app/ui/intake_page.py" line="131" />
        <source>National code</source>
        <translation>کد ملی</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/intake_page.py" line="132" />
        <source>First name</source>
        <translation>نام</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/intake_page.py" line="133" />
        <source>Last name</source>
        <translation>نام خانوادگی</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/intake_page.py" line="134" />
        <source>Mobile</source>
        <translation>تلفن همراه</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/intake_page.py" line="135" />
        <source>Service</source>
        <translation>خدمت</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/intake_page.py" line="164" />
        <source>Fees</source>
        <translation>هزینه‌ها</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/intake_page.py" line="171" />
        <source>Required documents</source>
        <translation>مدارک لازم</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/intake_page.py" line="178" />
        <source>Cash</source>
        <translation>نقدی</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/intake_page.py" line="179" />
        <source>Card (POS)</source>
        <translation>کارت (کارت‌خوان)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/intake_page.py" line="182" />
        <source>Payment</source>
        <translation>پرداخت</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/intake_page.py" line="183" />
        <source>Card reference</source>
        <translation>شمارهٔ پیگیری کارت‌خوان</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/intake_page.py" line="191" />
        <source>Save and print (Ctrl+S)</source>
        <translation>ثبت و چاپ (Ctrl+S)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/intake_page.py" line="194" />
        <source>New citizen</source>
        <translation>مراجعهٔ جدید</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/intake_page.py" line="195" />
        <source>Print receipt again</source>
        <translation>چاپ دوبارهٔ رسید</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/intake_page.py" line="229" />
        <source>Shortcut: %1</source>
        <translation>میان‌بر: %1</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/intake_page.py" line="272" />
        <location filename="../../desk_app/ui/intake_page.py" line="474" />
        <source>A national code has only digits: remove the letters.</source>
        <translation>کد ملی فقط رقم دارد: حروف را پاک کنید.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../desk_app/ui/intake_page.py" line="279" />
        <source>%n digit(s) typed; a national code has 10.</source>
        <translation>
            <numerusform>%n رقم وارد شده؛ کد ملی ۱۰ رقم است.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/intake_page.py" line="300" />
        <source>Valid national code</source>
        <translation>کد ملی معتبر است</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/intake_page.py" line="325" />
        <source>Known citizen: details filled in</source>
        <translation>متقاضی آشناست: مشخصات پر شد</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/intake_page.py" line="370" />
        <source>Total: %1</source>
        <translation>جمع: %1</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/intake_page.py" line="372" />
        <source>Choose a service to see its fees.</source>
        <translation>برای دیدن هزینه‌ها، خدمت را انتخاب کنید.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/intake_page.py" line="429" />
        <location filename="../../desk_app/ui/intake_page.py" line="481" />
        <source>Enter the first name.</source>
        <translation>نام را وارد کنید.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/intake_page.py" line="429" />
        <location filename="../../desk_app/ui/intake_page.py" line="483" />
        <source>Enter the last name.</source>
        <translation>نام خانوادگی را وارد کنید.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/intake_page.py" line="459" />
        <source>Warning: Latin letters. Write the name in Persian as on the national card.</source>
        <translation>هشدار: حروف لاتین. نام را به فارسی و مانند کارت ملی بنویسید.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/intake_page.py" line="493" />
        <source>Choose a service.</source>
        <translation>خدمت را انتخاب کنید.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/intake_page.py" line="444" />
        <location filename="../../desk_app/ui/intake_page.py" line="497" />
        <source>Enter the card machine's reference number.</source>
        <translation>شمارهٔ پیگیری کارت‌خوان را وارد کنید.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/intake_page.py" line="97" />
        <source>Press Esc again to clear the form.</source>
        <translation>برای پاک کردن فرم، یک بار دیگر Esc را بزنید.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../desk_app/ui/intake_page.py" line="503" />
        <source>%n field(s) to correct.</source>
        <translation>
            <numerusform>%n فیلد را اصلاح کنید.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/intake_page.py" line="544" />
        <source>Saved. Receipt number: %1</source>
        <translation>ثبت شد. شمارهٔ رسید: %1</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/intake_page.py" line="638" />
        <source>The unfinished form of last time was brought back.</source>
        <translation>فرم نیمه‌کارهٔ دفعهٔ قبل بازگردانده شد.</translation>
    </message>
</context>
<context>
    <name>Launcher</name>
    <message>
        <location filename="../../desk_app/ui/app.py" line="225" />
        <source>No automatic backup: no backup passphrase is set (Settings → Backups).</source>
        <translation>پشتیبان خودکار گرفته نمی‌شود: رمز پشتیبان تعیین نشده است (تنظیمات ← پشتیبان‌ها).</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/app.py" line="243" />
        <location filename="../../desk_app/ui/app.py" line="280" />
        <source>Close Pishkhan Desk</source>
        <translation>بستن میز پیشخوان</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/app.py" line="245" />
        <source>Closing the window ends the demo: its provincial server stops too, and nothing is synced until the demo starts again. To hand the counter to someone else, log out instead.</source>
        <translation>بستن پنجره نسخهٔ نمایشی را تمام می‌کند: سرور استانی آن هم متوقف می‌شود و تا اجرای دوبارهٔ نسخهٔ نمایشی چیزی همگام نمی‌شود. برای سپردن باجه به کس دیگر، به جای آن از حساب خارج شوید.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/app.py" line="251" />
        <source>Close and stop the server</source>
        <translation>بستن و توقف سرور</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/app.py" line="252" />
        <source>Log out instead</source>
        <translation>خروج از حساب به جای بستن</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/app.py" line="253" />
        <source>Cancel</source>
        <translation>انصراف</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/app.py" line="281" />
        <source>Exit the demo? Its provincial server stops too.</source>
        <translation>از نسخهٔ نمایشی خارج می‌شوید؟ سرور استانی آن هم متوقف می‌شود.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/app.py" line="351" />
        <source>The demo's provincial server has stopped (exit code %1). The app goes on offline: requests wait in the queue. Start the demo again to sync them.</source>
        <translation>سرور استانی نسخهٔ نمایشی متوقف شده است (کد خروج %1). برنامه برون‌خط ادامه می‌دهد: درخواست‌ها در صف می‌مانند. برای همگام‌سازی، نسخهٔ نمایشی را دوباره اجرا کنید.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/app.py" line="357" />
        <source>Demo server stopped</source>
        <translation>سرور نمایشی متوقف شده است</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/app.py" line="359" />
        <source>Pishkhan Desk</source>
        <translation>میز پیشخوان</translation>
    </message>
</context>
<context>
    <name>LockDialog</name>
    <message>
        <location filename="../../desk_app/ui/lock.py" line="102" />
        <source>Pishkhan Desk is locked</source>
        <translation>میز پیشخوان قفل است</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/lock.py" line="108" />
        <source>The window is locked. %1, enter your password to go on.</source>
        <translation>پنجره قفل است. %1، برای ادامه گذرواژهٔ خود را وارد کنید.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/lock.py" line="115" />
        <source>Password</source>
        <translation>گذرواژه</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/lock.py" line="118" />
        <source>Unlock</source>
        <translation>باز کردن قفل</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/lock.py" line="121" />
        <source>Log in as another user</source>
        <translation>ورود با کاربر دیگر</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/lock.py" line="154" />
        <source>Enter your password.</source>
        <translation>گذرواژه را وارد کنید.</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../desk_app/ui/login_dialog.py" line="20" />
        <source>Pishkhan Desk: log in</source>
        <translation>میز پیشخوان: ورود</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/login_dialog.py" line="31" />
        <source>Username</source>
        <translation>نام کاربری</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/login_dialog.py" line="32" />
        <source>Password</source>
        <translation>گذرواژه</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/login_dialog.py" line="37" />
        <source>Log in</source>
        <translation>ورود</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/login_dialog.py" line="38" />
        <source>Exit</source>
        <translation>خروج</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/login_dialog.py" line="49" />
        <source>Enter your username.</source>
        <translation>نام کاربری را وارد کنید.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/login_dialog.py" line="52" />
        <source>Enter your password.</source>
        <translation>گذرواژه را وارد کنید.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../desk_app/ui/main_window.py" line="135" />
        <source>Pishkhan Desk</source>
        <translation>میز پیشخوان</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/main_window.py" line="143" />
        <source>Intake</source>
        <translation>پذیرش</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/main_window.py" line="144" />
        <source>Requests</source>
        <translation>درخواست‌ها</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/main_window.py" line="145" />
        <source>Shift</source>
        <translation>شیفت</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/main_window.py" line="152" />
        <source>Reports</source>
        <translation>گزارش‌ها</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/main_window.py" line="153" />
        <source>Users</source>
        <translation>کاربران</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/main_window.py" line="154" />
        <source>Services</source>
        <translation>خدمات</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/main_window.py" line="160" />
        <source>Settings</source>
        <translation>تنظیمات</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/main_window.py" line="183" />
        <source>Today's backup was written: %1</source>
        <translation>پشتیبان امروز نوشته شد: %1</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/main_window.py" line="189" />
        <source>Shift-close backup written: %1</source>
        <translation>پشتیبان پایان شیفت نوشته شد: %1</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/main_window.py" line="236" />
        <source>Work in progress</source>
        <translation>کار در جریان است</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/main_window.py" line="237" />
        <source>Some work is still running (saving, printing or sync). Close when it is done?</source>
        <translation>کاری هنوز در جریان است (ثبت، چاپ یا همگام‌سازی). پس از پایان آن بسته شود؟</translation>
    </message>
</context>
<context>
    <name>OpenShiftsModel</name>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="111" />
        <source>Clerk</source>
        <translation>کارمند</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="112" />
        <source>Opened at</source>
        <translation>زمان شروع</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="113" />
        <source>Requests</source>
        <translation>درخواست‌ها</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="114" />
        <source>Cash expected</source>
        <translation>نقدی مورد انتظار</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="115" />
        <source>Card expected</source>
        <translation>کارتی مورد انتظار</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="129" />
        <source>%1 unfinished intake form(s): the clerk must save or discard them first.</source>
        <translation>%1 فرم نیمه‌کارهٔ پذیرش: متصدی باید نخست آن‌ها را ثبت یا حذف کند.</translation>
    </message>
</context>
<context>
    <name>PasswordDialog</name>
    <message>
        <location filename="../../desk_app/ui/users_page.py" line="52" />
        <source>New user</source>
        <translation>کاربر جدید</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/users_page.py" line="52" />
        <source>New password</source>
        <translation>گذرواژهٔ جدید</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/users_page.py" line="59" />
        <source>Clerk</source>
        <translation>کارمند</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/users_page.py" line="60" />
        <source>Manager</source>
        <translation>مدیر</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/users_page.py" line="62" />
        <source>Username</source>
        <translation>نام کاربری</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/users_page.py" line="63" />
        <source>Full name</source>
        <translation>نام و نام خانوادگی</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/users_page.py" line="64" />
        <source>Role</source>
        <translation>نقش</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/users_page.py" line="69" />
        <source>Password</source>
        <translation>گذرواژه</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/users_page.py" line="74" />
        <source>Save</source>
        <translation>ذخیره</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/users_page.py" line="75" />
        <source>Cancel</source>
        <translation>انصراف</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/users_page.py" line="84" />
        <source>Enter a username.</source>
        <translation>نام کاربری را وارد کنید.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/users_page.py" line="87" />
        <source>The password must have at least 6 characters.</source>
        <translation>گذرواژه باید دست‌کم ۶ نویسه باشد.</translation>
    </message>
</context>
<context>
    <name>ReceiptFlow</name>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="48" />
        <source>ask the manager (%1) to choose one under Settings</source>
        <translation>از مدیر دفتر (%1) بخواهید در «تنظیمات» چاپگری انتخاب کند</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="51" />
        <source>ask the office manager to choose one under Settings</source>
        <translation>از مدیر دفتر بخواهید در «تنظیمات» چاپگری انتخاب کند</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="56" />
        <source>No receipt printer is set up: print the receipt from the preview, or choose a printer under Settings → Receipt printer.</source>
        <translation>چاپگر رسید تنظیم نشده است: رسید را از پیش‌نمایش چاپ کنید، یا در «تنظیمات ← چاپگر رسید» چاپگری انتخاب کنید.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="61" />
        <source>No receipt printer is set up: print the receipt from the preview, or %1.</source>
        <translation>چاپگر رسید تنظیم نشده است: رسید را از پیش‌نمایش چاپ کنید، یا %1.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="68" />
        <source>Receipt saved as PDF: %1</source>
        <translation>رسید به صورت PDF ذخیره شد: %1</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="70" />
        <source>Receipt printed.</source>
        <translation>رسید چاپ شد.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="72" />
        <source>(copy %1)</source>
        <translation>(رونوشت %1)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="99" />
        <source>Automatic printing is off: print the receipt with «Print receipt again».</source>
        <translation>چاپ خودکار خاموش است: رسید را با «چاپ دوبارهٔ رسید» چاپ کنید.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="129" />
        <source>The request is saved, but the receipt did not print: %1</source>
        <translation>درخواست ثبت شد، اما رسید چاپ نشد: %1</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="140" />
        <source>Printing the receipt…</source>
        <translation>در حال چاپ رسید…</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="174" />
        <source>The receipt preview could not be made: %1</source>
        <translation>پیش‌نمایش رسید ساخته نشد: %1</translation>
    </message>
</context>
<context>
    <name>ReceiptPreviewDialog</name>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="190" />
        <source>Receipt %1</source>
        <translation>رسید %1</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="201" />
        <source>original</source>
        <translation>اصل</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="203" />
        <source>copy %1</source>
        <translation>رونوشت %1</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="206" />
        <source>The receipt exactly as the thermal printer gets it (%1 dots wide), %2.</source>
        <translation>رسید همان‌گونه که چاپگر حرارتی آن را می‌گیرد (%1 نقطه پهنا)، %2.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="228" />
        <source>Print</source>
        <translation>چاپ</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="230" />
        <source>On the receipt printer (Ctrl+P)</source>
        <translation>با چاپگر رسید (Ctrl+P)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="231" />
        <source>Print on another printer…</source>
        <translation>چاپ با چاپگری دیگر…</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="233" />
        <source>An A5 page on a printer of this PC</source>
        <translation>یک برگ A5 با یکی از چاپگرهای این رایانه</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="234" />
        <source>Save as PDF…</source>
        <translation>ذخیره به صورت PDF…</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="236" />
        <source>Save as PDF (Ctrl+Shift+S)</source>
        <translation>ذخیره به صورت PDF (Ctrl+Shift+S)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="237" />
        <source>Close</source>
        <translation>بستن</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="239" />
        <source>Close (Esc)</source>
        <translation>بستن (Esc)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="252" />
        <source>Print on a printer of this PC…</source>
        <translation>چاپ با یکی از چاپگرهای این رایانه…</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="253" />
        <source>An A5 page on a printer of this PC (Ctrl+P)</source>
        <translation>یک برگ A5 با یکی از چاپگرهای این رایانه (Ctrl+P)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="291" />
        <source>No printer is installed on this PC: save the receipt as PDF, or %1.</source>
        <translation>هیچ چاپگری روی این رایانه نصب نیست: رسید را به صورت PDF ذخیره کنید، یا %1.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="297" />
        <source>Print the receipt</source>
        <translation>چاپ رسید</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="297" />
        <source>Printer of this PC:</source>
        <translation>چاپگر این رایانه:</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="302" />
        <source>Looking for this PC's printers…</source>
        <translation>در جست‌وجوی چاپگرهای این رایانه…</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="311" />
        <source>Save the receipt as PDF</source>
        <translation>ذخیرهٔ رسید به صورت PDF</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="331" />
        <source>A further print is marked as a copy.</source>
        <translation>چاپ بعدی «رونوشت» خواهد بود.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="337" />
        <source>The receipt did not print: %1</source>
        <translation>رسید چاپ نشد: %1</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/receipt_dialog.py" line="340" />
        <source>Printing the receipt…</source>
        <translation>در حال چاپ رسید…</translation>
    </message>
</context>
<context>
    <name>ReportsPage</name>
    <message>
        <location filename="../../desk_app/ui/reports_page.py" line="67" />
        <source>Day</source>
        <translation>روز</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/reports_page.py" line="72" />
        <source>Show</source>
        <translation>نمایش</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/reports_page.py" line="73" />
        <source>Save PDF…</source>
        <translation>ذخیرهٔ PDF…</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/reports_page.py" line="74" />
        <source>Save CSV…</source>
        <translation>ذخیرهٔ CSV…</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/reports_page.py" line="75" />
        <location filename="../../desk_app/ui/reports_page.py" line="234" />
        <source>Print</source>
        <translation>چاپ</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/reports_page.py" line="78" />
        <source>Whole office (from the server)</source>
        <translation>کل دفتر (از سرور استان)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/reports_page.py" line="81" />
        <source>PDF, CSV and print use every counter's totals from the provincial server; without the server, this computer's figures and a note.</source>
        <translation>PDF، CSV و چاپ، جمع همهٔ باجه‌ها را از سرور استان می‌گیرند؛ بدون سرور، ارقام همین رایانه با یک یادداشت.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/reports_page.py" line="103" />
        <source>Per service</source>
        <translation>به تفکیک خدمت</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/reports_page.py" line="104" />
        <source>Per clerk</source>
        <translation>به تفکیک کارمند</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/reports_page.py" line="105" />
        <source>Per payment method</source>
        <translation>به تفکیک روش پرداخت</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/reports_page.py" line="132" />
        <source>Enter a day, e.g. 1405/09/08.</source>
        <translation>روز را وارد کنید، مانند ۱۴۰۵/۰۹/۰۸.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/reports_page.py" line="146" />
        <source>Preparing the report…</source>
        <translation>در حال آماده‌سازی گزارش…</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/reports_page.py" line="160" />
        <source>Day: %1</source>
        <translation>روز: %1</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/reports_page.py" line="161" />
        <source>Requests: %1, received %2 (cancelled and refunded requests included)</source>
        <translation>درخواست‌ها: %1، جمع دریافتی %2 (با درخواست‌های لغو و استردادشده)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/reports_page.py" line="164" />
        <source>Cancellations: %1, refunds %2</source>
        <translation>ابطال‌ها: %1، بازپرداخت %2</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/reports_page.py" line="167" />
        <source>Net received (after refunds): %1</source>
        <translation>خالص دریافتی (پس از کسر استرداد): %1</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/reports_page.py" line="168" />
        <source>Reprints: %1; waiting to send: %2</source>
        <translation>چاپ مجدد: %1؛ در صف ارسال: %2</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/reports_page.py" line="177" />
        <source>Still open (their cash is not counted yet): %1</source>
        <translation>شیفت‌های هنوز باز (صندوقشان شمرده نشده): %1</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/reports_page.py" line="180" />
        <source>%1 since %2</source>
        <translation>%1 از %2</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/reports_page.py" line="190" />
        <source>Shifts: none this day.</source>
        <translation>شیفت‌ها: در این روز شیفتی نبود.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/reports_page.py" line="194" />
        <source>Shifts: %1 closed, %2 still open.</source>
        <translation>شیفت‌ها: %1 بسته، %2 هنوز باز.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/reports_page.py" line="201" />
        <source>The shift of %1 was counted and closed by %2.</source>
        <translation>صندوق شیفت %1 را %2 شمرد و شیفت را بست.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/reports_page.py" line="212" />
        <location filename="../../desk_app/ui/reports_page.py" line="222" />
        <source>Save the daily report</source>
        <translation>ذخیرهٔ گزارش روزانه</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/reports_page.py" line="234" />
        <source>Name of the A4 printer</source>
        <translation>نام چاپگر A4</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/reports_page.py" line="259" />
        <source>Working…</source>
        <translation>در حال انجام…</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/reports_page.py" line="253" />
        <source>Done: %1</source>
        <translation>انجام شد: %1</translation>
    </message>
</context>
<context>
    <name>RequestPages</name>
    <message>
        <location filename="../../desk_app/ui/attach_panel.py" line="160" />
        <source>Scanned pages</source>
        <translation>صفحه‌های اسکن‌شده</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/attach_panel.py" line="168" />
        <source>Attach pages…</source>
        <translation>افزودن صفحه…</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/attach_panel.py" line="199" />
        <source>Other document</source>
        <translation>مدرک دیگر</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/attach_panel.py" line="204" />
        <source>No scanned pages.</source>
        <translation>صفحهٔ اسکن‌شده‌ای ندارد.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/attach_panel.py" line="208" />
        <source>%1, %2</source>
        <translation>%1، %2</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/attach_panel.py" line="210" />
        <source>%1 waiting to send</source>
        <translation>%1 در صف ارسال</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/attach_panel.py" line="212" />
        <source>all sent</source>
        <translation>همه فرستاده شد</translation>
    </message>
</context>
<context>
    <name>RequestsModel</name>
    <message>
        <location filename="../../desk_app/ui/requests_model.py" line="143" />
        <source>Receipt no.</source>
        <translation>شمارهٔ رسید</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_model.py" line="144" />
        <source>Date</source>
        <translation>تاریخ</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_model.py" line="145" />
        <source>Citizen</source>
        <translation>متقاضی</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_model.py" line="146" />
        <source>National code</source>
        <translation>کد ملی</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_model.py" line="147" />
        <source>Service</source>
        <translation>خدمت</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_model.py" line="148" />
        <source>Total</source>
        <translation>جمع</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_model.py" line="149" />
        <source>Status</source>
        <translation>وضعیت</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_model.py" line="150" />
        <source>Sync</source>
        <translation>ارسال</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_model.py" line="151" />
        <source>Tracking code</source>
        <translation>کد رهگیری</translation>
    </message>
</context>
<context>
    <name>RequestsPage</name>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="106" />
        <source>sync with the province</source>
        <translation>همگام‌سازی با استان</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="107" />
        <source>provincial server</source>
        <translation>سرور استان</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="108" />
        <source>this program</source>
        <translation>همین برنامه</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="115" />
        <source>user %1</source>
        <translation>کاربر %1</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="144" />
        <source>Name, national code, receipt no. or tracking code</source>
        <translation>نام، کد ملی، شمارهٔ رسید یا کد رهگیری</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="147" />
        <source>Words find first and last names in any order, also inside a name; digits find the end of a receipt no. or tracking code, or a national code.</source>
        <translation>واژه‌ها نام و نام خانوادگی را به هر ترتیبی و حتی درون نام پیدا می‌کنند (رضا، محمدرضا را هم می‌یابد)؛ رقم‌ها پایان شمارهٔ رسید یا کد رهگیری، یا کد ملی را پیدا می‌کنند.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="155" />
        <source>All statuses</source>
        <translation>همهٔ وضعیت‌ها</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="158" />
        <source>code</source>
        <translation>کد</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="159" />
        <source>username</source>
        <translation>نام کاربری</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="160" />
        <source>Only needs attention</source>
        <translation>فقط موارد نیازمند بررسی</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="162" />
        <location filename="../../desk_app/ui/requests_page.py" line="163" />
        <source>Search</source>
        <translation>جست‌وجو</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="166" />
        <source>From</source>
        <translation>از</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="168" />
        <source>To</source>
        <translation>تا</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="171" />
        <location filename="../../desk_app/ui/requests_page.py" line="207" />
        <source>Service</source>
        <translation>خدمت</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="173" />
        <source>Clerk</source>
        <translation>کارمند</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="204" />
        <source>Receipt no.</source>
        <translation>شمارهٔ رسید</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="205" />
        <source>Date</source>
        <translation>تاریخ</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="206" />
        <source>Citizen</source>
        <translation>متقاضی</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="208" />
        <source>Total</source>
        <translation>جمع</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="209" />
        <source>Status</source>
        <translation>وضعیت</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="210" />
        <source>Sync</source>
        <translation>ارسال</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="211" />
        <source>Tracking code</source>
        <translation>کد رهگیری</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="212" />
        <source>Note</source>
        <translation>توضیح</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="213" />
        <source>Form</source>
        <translation>فرم خدمت</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="224" />
        <source>History</source>
        <translation>سابقه</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="228" />
        <source>Reprint receipt</source>
        <translation>چاپ مجدد رسید</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="229" />
        <source>Print form</source>
        <translation>چاپ فرم</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="230" />
        <source>Cancel request…</source>
        <translation>ابطال درخواست…</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="231" />
        <source>Send again</source>
        <translation>ارسال دوباره</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="240" />
        <source>Needs attention…</source>
        <translation>موارد نیازمند بررسی…</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="300" />
        <source>The start date is after the end date.</source>
        <translation>تاریخ آغاز بازه پس از تاریخ پایان آن است.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="325" />
        <source>%1 requests</source>
        <translation>%1 درخواست</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="415" />
        <source>Receipt printed again.</source>
        <translation>رسید دوباره چاپ شد.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="446" />
        <source>Save the form as PDF</source>
        <translation>ذخیرهٔ فرم به صورت PDF</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="462" />
        <source>The form is ready.</source>
        <translation>فرم آماده است.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="484" />
        <source>The request was cancelled.</source>
        <translation>درخواست ابطال شد.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="498" />
        <source>It will be sent again at the next sync.</source>
        <translation>در همگام‌سازی بعدی دوباره فرستاده می‌شود.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_page.py" line="521" />
        <source>Ctrl+F: here. Esc: clear the search.</source>
        <translation>Ctrl+F: آمدن به اینجا. Esc: پاک کردن جست‌وجو.</translation>
    </message>
</context>
<context>
    <name>RowsModel</name>
    <message>
        <location filename="../../desk_app/ui/reports_page.py" line="47" />
        <source>Item</source>
        <translation>مورد</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/reports_page.py" line="47" />
        <source>Count</source>
        <translation>تعداد</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/reports_page.py" line="47" />
        <source>Amount</source>
        <translation>مبلغ</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/reports_page.py" line="47" />
        <source>Refunds</source>
        <translation>بازپرداخت</translation>
    </message>
</context>
<context>
    <name>ScanDialog</name>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="61" />
        <source>%1 KB</source>
        <translation>%1 کیلوبایت</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="64" />
        <source>%1 MB</source>
        <translation>%1 مگابایت</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="74" />
        <source>text, black and white</source>
        <translation>متن، سیاه‌وسفید</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="76" />
        <source>photo, grey</source>
        <translation>عکس، خاکستری</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="82" />
        <source>sent</source>
        <translation>فرستاده شد</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="84" />
        <source>waiting to send</source>
        <translation>در صف ارسال</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="174" />
        <source>Documents of request %1</source>
        <translation>مدارک درخواست %1</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="189" />
        <source>Document</source>
        <translation>مدرک</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="194" />
        <source>Look for scanners again</source>
        <translation>جست‌وجوی دوبارهٔ اسکنر</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="197" />
        <source>Scanner</source>
        <translation>اسکنر</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="201" />
        <source>Automatic</source>
        <translation>خودکار</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="202" />
        <source>Text (black and white, smallest)</source>
        <translation>متن (سیاه‌وسفید، کم‌حجم‌ترین)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="203" />
        <source>Photo or ID card (grey)</source>
        <translation>عکس یا کارت شناسایی (خاکستری)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="204" />
        <source>Every sheet in the feeder</source>
        <translation>همهٔ برگه‌های سینی</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="208" />
        <source>Kind of page</source>
        <translation>نوع صفحه</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="212" />
        <source>Scan (F5)</source>
        <translation>اسکن (F5)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="214" />
        <source>From file… (Ctrl+O)</source>
        <translation>از فایل… (Ctrl+O)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="216" />
        <source>Stop (Esc)</source>
        <translation>توقف (Esc)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="246" />
        <source>Delete page (Del)</source>
        <translation>حذف صفحه (Del)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="258" />
        <source>Done (Ctrl+Enter)</source>
        <translation>پایان (Ctrl+Enter)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="263" />
        <source>Each page is kept with the request as soon as it is scanned.</source>
        <translation>هر صفحه همین که اسکن شد با درخواست نگه داشته می‌شود.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="305" />
        <location filename="../../desk_app/ui/scan_dialog.py" line="474" />
        <location filename="../../desk_app/ui/scan_dialog.py" line="507" />
        <source>Other document</source>
        <translation>مدرک دیگر</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="320" />
        <source>Looking for scanners…</source>
        <translation>در جست‌وجوی اسکنر…</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="330" />
        <source>No scanner found</source>
        <translation>اسکنری پیدا نشد</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="332" />
        <source>No scanner was found.</source>
        <translation>اسکنری پیدا نشد.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="333" />
        <source>Pages can still be added from files (Ctrl+O).</source>
        <translation>صفحه‌ها را می‌توان از فایل افزود (Ctrl+O).</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="364" />
        <source>Scanning…</source>
        <translation>در حال اسکن…</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="393" />
        <source>Choose image or PDF files</source>
        <translation>انتخاب فایل‌های تصویر یا PDF</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="396" />
        <source>Images and PDF (%1)</source>
        <translation>تصویر و PDF (%1)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="396" />
        <source>All files (*)</source>
        <translation>همهٔ فایل‌ها (*)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="422" />
        <source>Reading the files…</source>
        <translation>در حال خواندن فایل‌ها…</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="429" />
        <source>Stopping the scanner…</source>
        <translation>در حال متوقف کردن اسکنر…</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="446" />
        <source>No page was stored.</source>
        <translation>هیچ صفحه‌ای ذخیره نشد.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="452" />
        <source>%1 page(s) kept with the request.</source>
        <translation>%1 صفحه با درخواست نگه داشته شد.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="454" />
        <source>%1 page(s) were already attached.</source>
        <translation>%1 صفحه از پیش پیوست شده بود.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="457" />
        <source>These pages were already attached to this request.</source>
        <translation>این صفحه‌ها از پیش به این درخواست پیوست شده بودند.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="459" />
        <source>No page came from the scanner.</source>
        <translation>صفحه‌ای از اسکنر نیامد.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="475" />
        <source>page %1</source>
        <translation>صفحهٔ %1</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="493" />
        <source>%1 page(s), %2</source>
        <translation>%1 صفحه، %2</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="505" />
        <source>Page %1 of «%2»: %3, %4, %5.</source>
        <translation>صفحهٔ %1 از «%2»: %3، %4، %5.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/scan_dialog.py" line="549" />
        <source>The page was taken off the request.</source>
        <translation>صفحه از درخواست برداشته شد.</translation>
    </message>
</context>
<context>
    <name>ServicePicker</name>
    <message>
        <location filename="../../desk_app/ui/service_picker.py" line="98" />
        <source>Service title or code</source>
        <translation>عنوان یا کد خدمت</translation>
    </message>
</context>
<context>
    <name>ServicesModel</name>
    <message>
        <location filename="../../desk_app/ui/catalog_page.py" line="44" />
        <source>Code</source>
        <translation>کد</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/catalog_page.py" line="44" />
        <source>Service</source>
        <translation>خدمت</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/catalog_page.py" line="44" />
        <source>Agency</source>
        <translation>دستگاه</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/catalog_page.py" line="44" />
        <source>Total fee</source>
        <translation>جمع هزینه</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/catalog_page.py" line="44" />
        <source>Active</source>
        <translation>فعال</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/catalog_page.py" line="55" />
        <source>Yes</source>
        <translation>بله</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/catalog_page.py" line="55" />
        <source>No</source>
        <translation>خیر</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="54" />
        <source>Office and server</source>
        <translation>دفتر و سرور</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="63" />
        <source>Server address</source>
        <translation>نشانی سرور استان</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="64" />
        <source>Device token</source>
        <translation>توکن دستگاه</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="68" />
        <source>(system certificates)</source>
        <translation>(گواهی‌های سیستم)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="70" />
        <source>Choose…</source>
        <translation>انتخاب…</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="73" />
        <source>Server CA file (PEM)</source>
        <translation>پروندهٔ گواهی مرجع سرور (PEM)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="75" />
        <source>Enrol with the server</source>
        <translation>ثبت دستگاه در سرور</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="80" />
        <source>Receipt printer</source>
        <translation>چاپگر رسید</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="85" />
        <source>No printer</source>
        <translation>بدون چاپگر</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="86" />
        <source>Network (ESC/POS, port 9100)</source>
        <translation>شبکه (ESC/POS، درگاه ۹۱۰۰)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="87" />
        <source>USB (ESC/POS)</source>
        <translation>USB (ESC/POS)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="88" />
        <source>Serial port (ESC/POS)</source>
        <translation>درگاه سریال (ESC/POS)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="89" />
        <source>File or device (ESC/POS)</source>
        <translation>فایل یا دستگاه (ESC/POS)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="90" />
        <source>System printer</source>
        <translation>چاپگر سیستم</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="91" />
        <source>PDF files in a folder (one file per receipt)</source>
        <translation>پرونده‌های PDF در یک پوشه (برای هر رسید یک پرونده)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="98" />
        <source>Choose folder…</source>
        <translation>انتخاب پوشه…</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="103" />
        <source>80 mm</source>
        <translation>۸۰ میلی‌متر</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="104" />
        <source>58 mm</source>
        <translation>۵۸ میلی‌متر</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="105" />
        <source>Print the receipt right after saving</source>
        <translation>چاپ رسید بلافاصله پس از ثبت</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="107" />
        <source>Show the receipt on screen after each save (it shows anyway without a printer)</source>
        <translation>پس از هر ثبت، رسید روی صفحه نشان داده شود (بی چاپگر همیشه نشان داده می‌شود)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="110" />
        <source>Open the cash drawer after a cash payment</source>
        <translation>باز کردن کشوی پول پس از پرداخت نقدی</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="111" />
        <source>Printer type</source>
        <translation>نوع چاپگر</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="112" />
        <location filename="../../desk_app/ui/settings_page.py" line="281" />
        <source>Address</source>
        <translation>نشانی</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="120" />
        <source>Paper width</source>
        <translation>عرض کاغذ</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="125" />
        <source>Print a test page</source>
        <translation>چاپ صفحهٔ آزمایشی</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="130" />
        <source>Display</source>
        <translation>نمایش</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="134" />
        <source>Rial</source>
        <translation>ریال</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="135" />
        <source>Toman</source>
        <translation>تومان</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="142" />
        <source>never</source>
        <translation>هرگز</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="143" />
        <source> min</source>
        <translation> دقیقه</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="144" />
        <source>Amounts in</source>
        <translation>نمایش مبالغ به</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="145" />
        <source>Language (after restart)</source>
        <translation>زبان (پس از اجرای دوباره)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="147" />
        <source>Lock the window after this long without use</source>
        <translation>قفل پنجره پس از این مدت بی‌کاری</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="152" />
        <source>Backups</source>
        <translation>پشتیبان‌گیری</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="163" />
        <source>Backup passphrase (at least 8 characters)</source>
        <translation>رمز پشتیبان (دست‌کم ۸ نویسه)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="164" />
        <source>Repeat the passphrase</source>
        <translation>تکرار رمز پشتیبان</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="166" />
        <source>Set the backup passphrase</source>
        <translation>تعیین رمز پشتیبان</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="169" />
        <source>Restore from a backup…</source>
        <translation>بازیابی از پشتیبان…</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="178" />
        <source>Save settings</source>
        <translation>ذخیرهٔ تنظیمات</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="226" />
        <source>%1 (office code %2), device %3</source>
        <translation>%1 (کد دفتر %2)، دستگاه %3</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="255" />
        <source>Only a manager can change these settings. To set up or change the receipt printer (now: %1), ask %2.</source>
        <translation>فقط مدیر دفتر می‌تواند این تنظیمات را تغییر دهد. برای تنظیم یا تغییر چاپگر رسید (اکنون: %1) از %2 بخواهید.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="259" />
        <source>Only a manager can change these settings. To set up or change the receipt printer (now: %1), ask the office manager.</source>
        <translation>فقط مدیر دفتر می‌تواند این تنظیمات را تغییر دهد. برای تنظیم یا تغییر چاپگر رسید (اکنون: %1) از مدیر دفتر بخواهید.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="262" />
        <source>You may print a test page.</source>
        <translation>چاپ صفحهٔ آزمایشی برای شما هم ممکن است.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="268" />
        <source>The printer's IP address or name and port, e.g. HOST:9100.</source>
        <translation>نشانی IP یا نام چاپگر و درگاه آن، به شکل HOST:9100.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="269" />
        <source>The USB vendor and product id in hex, as VID:PID.</source>
        <translation>شناسهٔ سازنده و محصول USB در مبنای ۱۶، به شکل VID:PID.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="270" />
        <source>The serial port (COM3 on Windows).</source>
        <translation>درگاه سریال (در ویندوز مانند COM3).</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="271" />
        <source>A device file the printer is attached to.</source>
        <translation>پروندهٔ دستگاهی که چاپگر به آن وصل است.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="272" />
        <source>The name of the printer in the system's printer list.</source>
        <translation>نام چاپگر در فهرست چاپگرهای سیستم.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="273" />
        <source>Every receipt becomes a new PDF file in this folder; none is written over.</source>
        <translation>هر رسید یک پروندهٔ PDF تازه در این پوشه می‌شود؛ هیچ رسیدی روی رسید دیگر نوشته نمی‌شود.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="281" />
        <source>Folder</source>
        <translation>پوشه</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="292" />
        <source>Choose the folder for the receipts' PDF files.</source>
        <translation>پوشهٔ پرونده‌های PDF رسیدها را انتخاب کنید.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="294" />
        <source>Choose a printer type first.</source>
        <translation>نخست نوع چاپگر را انتخاب کنید.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="295" />
        <source>Enter the printer's address.</source>
        <translation>نشانی چاپگر را وارد کنید.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="300" />
        <source>Folder for the receipts' PDF files</source>
        <translation>پوشهٔ پرونده‌های PDF رسیدها</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="330" />
        <source>This is not a readable PEM certificate file.</source>
        <translation>این پرونده، گواهی PEM خواندنی نیست.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="339" />
        <source>Settings saved.</source>
        <translation>تنظیمات ذخیره شد.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="339" />
        <source>Settings saved (nothing had changed).</source>
        <translation>تنظیمات ذخیره شد (چیزی تغییر نکرده بود).</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="356" />
        <source>Enter the server address.</source>
        <translation>نشانی سرور را وارد کنید.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="359" />
        <source>Enter the device token.</source>
        <translation>توکن دستگاه را وارد کنید.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="375" />
        <source>Enrolled. Syncing now…</source>
        <translation>دستگاه ثبت شد. در حال همگام‌سازی…</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="385" />
        <source>Asking the provincial server…</source>
        <translation>در حال پرسش از سرور استان…</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="400" />
        <source>Printing…</source>
        <translation>در حال چاپ…</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="403" />
        <source>The test page was sent.</source>
        <translation>صفحهٔ آزمایشی فرستاده شد.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="411" />
        <source>Server CA file</source>
        <translation>پروندهٔ گواهی مرجع سرور</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="413" />
        <source>Certificates (*.pem *.crt *.cer);;All files (*)</source>
        <translation>گواهی‌ها (*.pem *.crt *.cer);;همهٔ پرونده‌ها (*)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="433" />
        <source>A backup passphrase is set: a backup is made every day and at each shift close.</source>
        <translation>رمز پشتیبان تعیین شده است: هر روز و در پایان هر نوبت کاری، پشتیبان رمزنگاری‌شده گرفته می‌شود.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="435" />
        <source>No backup passphrase yet: no automatic backup is made until you set one.</source>
        <translation>رمز پشتیبان هنوز تعیین نشده است: تا آن را تعیین نکنید، پشتیبان خودکار گرفته نمی‌شود.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="446" />
        <source>At least %1 characters.</source>
        <translation>دست‌کم %1 نویسه.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="450" />
        <source>The two passphrases differ.</source>
        <translation>دو رمز یکسان نیستند.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="465" />
        <source>Backup passphrase saved. Keep a copy somewhere safe off this PC: without it no backup can be opened.</source>
        <translation>رمز پشتیبان ذخیره شد. آن را جای امنی بیرون از این رایانه هم نگه دارید: بی آن، هیچ پشتیبانی باز نمی‌شود.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="484" />
        <source>Restore from a backup</source>
        <translation>بازیابی از پشتیبان</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="486" />
        <source>Backups (*.pdbak);;All files (*)</source>
        <translation>پشتیبان‌ها (*.pdbak);;همهٔ پرونده‌ها (*)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="493" />
        <source>Backup passphrase</source>
        <translation>رمز پشتیبان</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="493" />
        <source>The passphrase of this backup:</source>
        <translation>رمز این پشتیبان:</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="519" />
        <source>Restoring the backup…</source>
        <translation>در حال بازیابی پشتیبان…</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="526" />
        <source>This backup is of device %1 of office %2, but this PC is device %3 of office %4.

Restoring it makes this PC device %1. If the PC of device %1 still works, both would give the same receipt numbers to different citizens.

Restore it only if the PC of device %1 is retired (broken, lost or replaced). This PC then gives no receipt number until the province has enrolled it as device %1 (which revokes the old PC's token) and you have entered the new token under Settings.</source>
        <translation>این پشتیبان از دستگاه %1 دفتر %2 است، اما این رایانه دستگاه %3 دفتر %4 است.

با بازیابی آن، این رایانه دستگاه %1 می‌شود. اگر رایانهٔ دستگاه %1 هنوز کار کند، هر دو رایانه رسیدهایی با یک شماره به دو شهروند می‌دهند.

فقط اگر رایانهٔ دستگاه %1 کنار گذاشته شده است (خراب، گم‌شده یا جایگزین‌شده) بازیابی کنید. پس از آن این رایانه تا وقتی سرور استان آن را به نام دستگاه %1 ثبت نکند (که توکن رایانهٔ قبلی را باطل می‌کند) و توکن تازه را در تنظیمات وارد نکنید، شمارهٔ رسید نمی‌دهد.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="538" />
        <source>A backup of another device</source>
        <translation>پشتیبانِ دستگاهی دیگر</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="540" />
        <source>The old PC is retired: replace it</source>
        <translation>رایانهٔ قبلی کنار گذاشته شده است: جایگزین شود</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="541" />
        <source>Do not restore</source>
        <translation>بازیابی نشود</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="550" />
        <source>Nothing was restored.</source>
        <translation>چیزی بازیابی نشد.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="563" />
        <source>The backup was restored: %1 requests (office %2, device %3).</source>
        <translation>پشتیبان بازیابی شد: %1 درخواست (دفتر %2، دستگاه %3).</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="577" />
        <source>This PC gives no receipt number until:</source>
        <translation>این رایانه تا انجام این کارها شمارهٔ رسید نمی‌دهد:</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/settings_page.py" line="582" />
        <source>Numbering goes on after the last receipt number the provincial server knows.</source>
        <translation>شماره‌گذاری رسیدها پس از آخرین شماره‌ای که سرور استان می‌شناسد ادامه می‌یابد.</translation>
    </message>
</context>
<context>
    <name>SetupDialog</name>
    <message>
        <location filename="../../desk_app/ui/setup_dialog.py" line="29" />
        <source>Pishkhan Desk: first set-up</source>
        <translation>میز پیشخوان: راه‌اندازی نخست</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/setup_dialog.py" line="34" />
        <source>This computer is not set up yet. Enter the office and this counter's device number, and create the manager's account.</source>
        <translation>این رایانه هنوز راه‌اندازی نشده است. کد دفتر و شمارهٔ دستگاه این باجه را وارد کنید و حساب مدیر را بسازید.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/setup_dialog.py" line="52" />
        <source>Office code</source>
        <translation>کد دفتر</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/setup_dialog.py" line="53" />
        <source>Office name</source>
        <translation>نام دفتر</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/setup_dialog.py" line="54" />
        <source>Device number</source>
        <translation>شمارهٔ دستگاه</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/setup_dialog.py" line="55" />
        <source>Manager username</source>
        <translation>نام کاربری مدیر</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/setup_dialog.py" line="56" />
        <source>Manager full name</source>
        <translation>نام و نام خانوادگی مدیر</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/setup_dialog.py" line="57" />
        <source>Password</source>
        <translation>گذرواژه</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/setup_dialog.py" line="58" />
        <source>Repeat password</source>
        <translation>تکرار گذرواژه</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/setup_dialog.py" line="60" />
        <source>Work offline for now (enrol later from the settings)</source>
        <translation>فعلاً برون‌خط کار می‌کنم (ثبت دستگاه بعداً از «تنظیمات»)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/setup_dialog.py" line="61" />
        <source>Enrol with the provincial server now</source>
        <translation>هم‌اکنون در سرور استان ثبت شود</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/setup_dialog.py" line="71" />
        <source>Server address</source>
        <translation>نشانی سرور استان</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/setup_dialog.py" line="72" />
        <source>Device token</source>
        <translation>توکن دستگاه</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/setup_dialog.py" line="82" />
        <source>Set up</source>
        <translation>راه‌اندازی</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/setup_dialog.py" line="83" />
        <source>Cancel</source>
        <translation>انصراف</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/setup_dialog.py" line="99" />
        <source>Enter a username.</source>
        <translation>نام کاربری را وارد کنید.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/setup_dialog.py" line="102" />
        <source>The password must have at least 6 characters.</source>
        <translation>گذرواژه باید دست‌کم ۶ نویسه باشد.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/setup_dialog.py" line="105" />
        <source>The two passwords differ.</source>
        <translation>دو گذرواژه یکسان نیستند.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/setup_dialog.py" line="112" />
        <source>Enter the server address.</source>
        <translation>نشانی سرور را وارد کنید.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/setup_dialog.py" line="115" />
        <source>Enter the device token.</source>
        <translation>توکن دستگاه را وارد کنید.</translation>
    </message>
</context>
<context>
    <name>ShiftCloseConfirmDialog</name>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="142" />
        <source>Close the shift?</source>
        <translation>شیفت بسته شود؟</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="147" />
        <source>Close the shift of %1, counted by %2?</source>
        <translation>شیفت %1 با شمارش %2 بسته شود؟</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="149" />
        <source>It is recorded as closed by %1 for %2.</source>
        <translation>ثبت می‌شود که %1 به جای %2 شیفت را بسته است.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="152" />
        <source>Close your shift (%1)?</source>
        <translation>شیفت شما (%1) بسته شود؟</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="158" />
        <source>Opened %1 with %2; %3 request(s), %4 cancellation(s).</source>
        <translation>آغاز %1 با موجودی %2؛ %3 درخواست، %4 ابطال.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="172" />
        <source>The counted amounts differ from what is expected. Count again if unsure.</source>
        <translation>مبلغ شمارش‌شده با مبلغ مورد انتظار یکی نیست. اگر مطمئن نیستید دوباره بشمارید.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="178" />
        <source>Close the shift (Enter)</source>
        <translation>بستن شیفت (Enter)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="180" />
        <source>Back (Esc)</source>
        <translation>بازگشت (Esc)</translation>
    </message>
</context>
<context>
    <name>ShiftPage</name>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="212" />
        <source>Open a shift</source>
        <translation>باز کردن شیفت</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="217" />
        <source>Opening cash (rials)</source>
        <translation>موجودی نقدی آغاز (ریال)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="218" />
        <source>Open shift</source>
        <translation>باز کردن شیفت</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="224" />
        <location filename="../../desk_app/ui/shift_page.py" line="377" />
        <source>Close the shift</source>
        <translation>بستن شیفت</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="233" />
        <source>Counted cash (rials)</source>
        <translation>نقدی شمارش‌شده (ریال)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="234" />
        <source>Card machine total (rials)</source>
        <translation>جمع کارت‌خوان (ریال)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="241" />
        <location filename="../../desk_app/ui/shift_page.py" line="563" />
        <source>Save shift report (PDF)…</source>
        <translation>ذخیرهٔ گزارش شیفت (PDF)…</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="365" />
        <source>No shift is open. A shift opens by itself at the first intake.</source>
        <translation>شیفتی باز نیست. با نخستین پذیرش، شیفت خودبه‌خود باز می‌شود.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="368" />
        <source>Shift open since %1, opening cash %2</source>
        <translation>شیفت باز از %1، موجودی آغاز %2</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="435" />
        <source>The shift is open.</source>
        <translation>شیفت باز شد.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="512" />
        <source>The shift is closed.</source>
        <translation>شیفت بسته شد.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="548" />
        <source>The shift-close backup failed: %1</source>
        <translation>پشتیبان پایان شیفت نوشته نشد: %1</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="74" />
        <source>Method</source>
        <translation>روش</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="75" />
        <source>Expected</source>
        <translation>مورد انتظار</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="76" />
        <source>Counted</source>
        <translation>شمارش‌شده</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="77" />
        <source>Difference</source>
        <translation>اختلاف</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="50" />
        <source>Cash</source>
        <translation>نقدی</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="51" />
        <source>Card</source>
        <translation>کارت</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="58" />
        <source>no difference</source>
        <translation>بدون اختلاف</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="60" />
        <source>surplus %1</source>
        <translation>اضافه %1</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="62" />
        <source>shortage %1</source>
        <translation>کسری %1</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="236" />
        <location filename="../../desk_app/ui/shift_page.py" line="378" />
        <source>Close shift…</source>
        <translation>بستن شیفت…</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="239" />
        <source>Back to my own shift</source>
        <translation>بازگشت به شیفت خودم</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="256" />
        <source>Open shifts on this PC</source>
        <translation>شیفت‌های باز این رایانه</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="274" />
        <source>Count and close the selected shift</source>
        <translation>شمارش و بستن شیفت انتخاب‌شده</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="345" />
        <source>No shift is open on this PC.</source>
        <translation>هیچ شیفتی روی این رایانه باز نیست.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="347" />
        <source>Only your own shift is open on this PC.</source>
        <translation>فقط شیفت خود شما روی این رایانه باز است.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="350" />
        <source>%1 shift(s) open, %2 of other users. Choose one to count its cash and close it.</source>
        <translation>%1 شیفت باز، %2 شیفت از کاربران دیگر. یکی را برای شمارش صندوق و بستن انتخاب کنید.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="382" />
        <source>Close the shift of %1 (counted by you)</source>
        <translation>بستن شیفت %1 (با شمارش شما)</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="384" />
        <source>Close the shift of %1…</source>
        <translation>بستن شیفت %1…</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="411" />
        <source>Count the drawer of %1: cash %2 and card %3 are expected.</source>
        <translation>صندوق %1 را بشمارید: نقدی %2 و کارتی %3 مورد انتظار است.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="483" />
        <source>The shift is still open.</source>
        <translation>شیفت همچنان باز است.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="510" />
        <source>The shift of %1 is closed, counted by you.</source>
        <translation>شیفت %1 با شمارش شما بسته شد.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="540" />
        <source>Shift-close backup written: %1</source>
        <translation>پشتیبان پایان شیفت نوشته شد: %1</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="544" />
        <source>No backup was made at this shift close: %1</source>
        <translation>در پایان این شیفت پشتیبانی گرفته نشد: %1</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/shift_page.py" line="583" />
        <source>The shift report is ready.</source>
        <translation>گزارش شیفت آماده است.</translation>
    </message>
</context>
<context>
    <name>Shortcuts</name>
    <message>
        <location filename="../../desk_app/ui/widgets.py" line="250" />
        <source>Shortcut: %1</source>
        <translation>میان‌بر: %1</translation>
    </message>
</context>
<context>
    <name>Status</name>
    <message>
        <location filename="../../desk_app/ui/requests_model.py" line="35" />
        <source>Registered</source>
        <translation>ثبت‌شده</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_model.py" line="36" />
        <source>Submitted</source>
        <translation>ارسال‌شده</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_model.py" line="37" />
        <source>In progress</source>
        <translation>در حال رسیدگی</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_model.py" line="38" />
        <source>Completed</source>
        <translation>انجام‌شده</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_model.py" line="39" />
        <source>Rejected</source>
        <translation>ردشده</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_model.py" line="40" />
        <source>Cancelled</source>
        <translation>ابطال‌شده</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_model.py" line="43" />
        <source>Waiting to send</source>
        <translation>در صف ارسال</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_model.py" line="44" />
        <source>Sending</source>
        <translation>در حال ارسال</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_model.py" line="45" />
        <source>At the province</source>
        <translation>در سرور استان</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_model.py" line="46" />
        <source>Needs attention</source>
        <translation>نیازمند بررسی</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/requests_model.py" line="47" />
        <source>Not sent (cancelled)</source>
        <translation>ارسال‌نشده (ابطال)</translation>
    </message>
</context>
<context>
    <name>UsersModel</name>
    <message>
        <location filename="../../desk_app/ui/users_page.py" line="34" />
        <source>Username</source>
        <translation>نام کاربری</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/users_page.py" line="34" />
        <source>Full name</source>
        <translation>نام و نام خانوادگی</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/users_page.py" line="34" />
        <source>Role</source>
        <translation>نقش</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/users_page.py" line="34" />
        <source>Active</source>
        <translation>فعال</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/users_page.py" line="42" />
        <source>Manager</source>
        <translation>مدیر</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/users_page.py" line="42" />
        <source>Clerk</source>
        <translation>کارمند</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/users_page.py" line="43" />
        <source>Yes</source>
        <translation>بله</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/users_page.py" line="43" />
        <source>No</source>
        <translation>خیر</translation>
    </message>
</context>
<context>
    <name>UsersPage</name>
    <message>
        <location filename="../../desk_app/ui/users_page.py" line="114" />
        <source>Add user…</source>
        <translation>افزودن کاربر…</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/users_page.py" line="115" />
        <source>Reset password…</source>
        <translation>تغییر گذرواژه…</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/users_page.py" line="116" />
        <source>Deactivate / activate</source>
        <translation>غیرفعال / فعال کردن</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/users_page.py" line="178" />
        <source>User %1 was added.</source>
        <translation>کاربر %1 افزوده شد.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/users_page.py" line="186" />
        <location filename="../../desk_app/ui/users_page.py" line="207" />
        <source>Choose a user first.</source>
        <translation>ابتدا کاربر را انتخاب کنید.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/users_page.py" line="201" />
        <source>The password was changed.</source>
        <translation>گذرواژه تغییر کرد.</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/users_page.py" line="220" />
        <source>Saved.</source>
        <translation>ذخیره شد.</translation>
    </message>
</context>
<context>
    <name>YesNoEditor</name>
    <message>
        <location filename="../../desk_app/ui/form_view.py" line="268" />
        <source>Yes</source>
        <translation>بله</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/form_view.py" line="269" />
        <source>No</source>
        <translation>خیر</translation>
    </message>
    <message>
        <location filename="../../desk_app/ui/form_view.py" line="270" />
        <source>Choose</source>
        <translation>انتخاب کنید</translation>
    </message>
</context>
</TS>