"""Documents built in tests: PDFs written object by object (with a correct xref table), blank and
encrypted PDFs. Shared by the loader, hostile-input and Telegram tests and bench/telegram_transcripts.py."""

from __future__ import annotations

import io

import pypdf

MB = 1024 * 1024


def pdf_from_objects(objects: list[bytes], trailer: bytes = b"/Root 1 0 R") -> bytes:
    """A PDF of `objects`, numbered from 1, with a correct xref table and `trailer` entries."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d %s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref_at)
    return bytes(out)


def make_pdf(pages: list[str], title: str | None = None) -> bytes:
    """A minimal valid PDF: one Helvetica text stream per page, a correct xref, optional /Title."""
    objects: list[bytes] = [b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    pages_ref = 2 + 2 * len(pages)  # font, then (content, page) per page, then /Pages
    page_refs = []
    for text in pages:
        ops = ["BT", "/F1 12 Tf", "14 TL", "72 720 Td"]
        for line in text.split("\n"):
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"({escaped}) Tj T*")
        stream = "\n".join([*ops, "ET"]).encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        objects.append(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /Font << /F1 1 0 R >> >> >>" % (pages_ref, len(objects))
        )
        page_refs.append(len(objects))
    kids = b" ".join(b"%d 0 R" % ref for ref in page_refs)
    objects.append(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_refs)))
    assert len(objects) == pages_ref
    objects.append(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_ref)
    trailer = b"/Root %d 0 R" % len(objects)
    if title is not None:
        objects.append(b"<< /Title (%s) >>" % title.encode("latin-1"))
        trailer += b" /Info %d 0 R" % len(objects)
    return pdf_from_objects(objects, trailer)


def encrypt_pdf(data: bytes, user_password: str) -> bytes:
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(data))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def blank_pdf(password: str | None = None) -> bytes:
    """A one-page PDF without text (a scan, as far as a text extractor can tell), encrypted with
    `password` when one is given."""
    writer = pypdf.PdfWriter()
    writer.add_blank_page(612, 792)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue() if password is None else encrypt_pdf(buffer.getvalue(), password)
