"""The A4 application form (فرم درخواست): citizen, service, the service form's answers in their
sections, fees, required documents, signatures."""

from __future__ import annotations

from printing import layout as L
from printing.data import FormData
from printing.labels import fee_label, jdatetime, money, words


def build_form(data: FormData) -> L.Document:
    r = data.receipt
    doc = L.Document(
        kind="form",
        page="A4",
        header=f"فرم درخواست خدمت — رسید {r.receipt_no}",
        footer=f"{r.office_name} ({r.office_code})",
    )
    doc.add(
        L.Title("فرم درخواست خدمت"),
        L.Text(f"{r.office_name} — کد دفتر {r.office_code}", align="center"),
        L.Separator(),
        L.KeyValue("شماره رسید", r.receipt_no, ltr=True, bold=True),
        L.KeyValue("تاریخ و ساعت پذیرش", jdatetime(r.created_at)),
        L.KeyValue("متصدی", r.clerk_name),
    )
    if r.server_ref:
        doc.add(L.KeyValue("کد رهگیری", r.server_ref, ltr=True))
    doc.add(L.Separator("space"), L.Title("مشخصات متقاضی", size="medium", align="right"))
    if data.first_name is not None or data.last_name is not None:
        doc.add(L.KeyValue("نام", data.first_name or "—"), L.KeyValue("نام خانوادگی", data.last_name or "—"))
    else:
        doc.add(L.KeyValue("نام و نام خانوادگی", r.citizen_name))
    doc.add(L.KeyValue("کد ملی", data.national_code or r.national_code_masked, ltr=True))
    if data.mobile:
        doc.add(L.KeyValue("تلفن همراه", data.mobile, ltr=True))
    doc.add(
        L.Separator("space"),
        L.Title("خدمت درخواستی", size="medium", align="right"),
        L.KeyValue("عنوان خدمت", r.service_title, bold=True),
        L.KeyValue("کد خدمت", r.service_code, ltr=True),
    )
    agency = data.agency or r.agency
    if agency:
        doc.add(L.KeyValue("دستگاه", agency))
    for section in data.sections:  # the service's own form, in its sections
        doc.add(L.Separator("space"), L.Title(section.title, size="medium", align="right"))
        doc.add(*(L.KeyValue(line.label, line.value, ltr=line.ltr) for line in section.lines))
    doc.add(L.Separator("space"))
    doc.add(
        L.Table(
            columns=[L.Column("شرح", 3), L.Column("مبلغ", 2, numeric=True)],
            rows=[[fee_label(kind), money(amount, r.unit)] for kind, amount in r.fees],
            footer=["جمع کل", money(r.total, r.unit)],
        )
    )
    doc.add(L.Text("مبلغ به حروف: " + words(r.total, r.unit), size="small"))
    if data.documents:
        doc.add(L.Separator("space"), L.Checklist("مدارک لازم (تحویل شد)", list(data.documents)))
    if data.notes:
        doc.add(L.Text("توضیحات: " + data.notes))
    doc.add(
        L.Separator("space"),
        L.Text("اینجانب صحت اطلاعات بالا را تأیید می‌کنم.", size="small"),
        L.SignatureBoxes(["امضا و اثر انگشت متقاضی", "نام، امضا و مهر متصدی دفتر"]),
    )
    return doc
