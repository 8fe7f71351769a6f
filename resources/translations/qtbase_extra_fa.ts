<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fa_IR">
<!-- Strings of Qt's own dialogs that PySide6's qtbase_fa.qm leaves in English (ui/i18n.py loads
     this after qtbase_fa, so it only fills gaps). Rebuilt by resources/translations/update.py. -->
<context>
    <name>QFileDialog</name>
    <message>
        <source>&amp;Look in:</source>
        <translation>&amp;جست‌وجو در:</translation>
    </message>
    <message>
        <source>Look in:</source>
        <translation>جست‌وجو در:</translation>
    </message>
    <message>
        <source>Files of &amp;type:</source>
        <translation>&amp;نوع پرونده‌ها:</translation>
    </message>
    <message>
        <source>Files of type:</source>
        <translation>نوع پرونده‌ها:</translation>
    </message>
</context>
</TS>
