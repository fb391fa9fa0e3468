"""Subject access as a file: everything the hub holds about a person, from every app's
personal-data provider, in one zip with the data for machines (``data.json``), a page to read
it in any browser without a connection (``index.html``) and a note on what the files are
(``README.txt``)."""

import io
import json
import zipfile

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.template.defaultfilters import linebreaksbr
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe

from .services import personal_data_export

SCALARS = (str, int, float, bool, type(None))

# The readable page opens from the zip on the person's own computer: everything it needs is in
# the file, nothing is fetched.
PAGE = """<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; line-height: 1.5; margin: 0 auto; max-width: 60rem;
  padding: 1rem; color: #1b1b1b; background: #fff; }}
h1, h2, h3 {{ line-height: 1.2; }}
section {{ border-top: 2px solid #555; margin-top: 2rem; }}
dl {{ display: grid; grid-template-columns: minmax(8rem, max-content) 1fr; gap: .25rem 1rem; }}
dt {{ font-weight: bold; }}
dd {{ margin: 0; }}
table {{ border-collapse: collapse; display: block; overflow-x: auto; }}
th, td {{ border: 1px solid #999; padding: .25rem .5rem; text-align: left; vertical-align: top; }}
.none {{ color: #555; font-style: italic; }}
</style>
</head>
<body>
<main>
<h1>{title}</h1>
<p>Exported on {exported}. The same information, for computers, is in
<code>data.json</code> beside this page.</p>
<nav aria-label="Contents"><ul>{contents}</ul></nav>
{sections}
</main>
</body>
</html>
"""

README = """{hub}: the personal data we hold
{underline}

This archive holds everything {hub} held about one person on {exported}, gathered from
every part of the hub (its profile, listening conversations, events, campaigns, membership,
messages and data-protection requests).

  index.html   The same information as a page to read: open it in any web browser. It needs
               no internet connection.
  data.json    The same information in JSON, a format other software can read, so that you
               can take it elsewhere (data portability).
  README.txt   This note.

Dates and times are in ISO 8601 (year-month-day, times with their offset from UTC).

If anything here is wrong, ask {hub} to correct it; you can also ask for it to be erased,
or object to how it is used. Keep this file safe: it holds personal information.
"""


def person_zip(person, viewer=None) -> bytes:
    """The zip of everything held about ``person`` as far as ``viewer`` may see it (sensitive
    notes only for staff: the providers decide). The export is written in the audit log."""
    exported_at = timezone.localtime()
    data = {
        "hub": settings.HUB_NAME,
        "exported_at": exported_at.isoformat(),
        "person_id": person.pk,
        "holdings": personal_data_export(person=person, viewer=viewer),
    }
    # A provider may hand back dates and decimals as they are: DjangoJSONEncoder writes them
    # as ISO dates and exact strings.
    text = json.dumps(data, indent=2, ensure_ascii=False, cls=DjangoJSONEncoder)
    exported = date_format(exported_at, "j F Y, H:i")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", text)
        archive.writestr("index.html", readable_page(json.loads(text), exported))
        hub = settings.HUB_NAME
        title = f"{hub}: the personal data we hold"
        archive.writestr(
            "README.txt", README.format(hub=hub, underline="=" * len(title), exported=exported)
        )
    return buffer.getvalue()


def readable_page(data, exported) -> str:
    """The export as one standalone HTML page: a section per provider, its data drawn
    generically (records as definition lists, lists of records as tables), all escaped."""
    title = f"The personal data {data['hub']} holds"
    holdings = data["holdings"]
    contents = format_html_join(
        "",
        '<li><a href="#{}">{}</a></li>',
        ((name, part["label"]) for name, part in holdings.items()),
    )
    sections = format_html_join(
        "\n",
        '<section id="{}" aria-labelledby="{}-heading"><h2 id="{}-heading">{}</h2>{}</section>',
        (
            (name, name, name, part["label"], render_value(part["data"], level=3))
            for name, part in holdings.items()
        ),
    )
    return PAGE.format(
        title=escape(title), exported=escape(exported), contents=contents, sections=sections
    )


def humanise(key) -> str:
    text = str(key).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _is_record(value):
    return isinstance(value, dict) and all(isinstance(v, SCALARS) for v in value.values())


def render_value(value, level=3):
    """Any JSON value as escaped HTML."""
    if isinstance(value, dict):
        if not value:
            return mark_safe('<p class="none">Nothing held.</p>')
        if _is_record(value):
            return format_html(
                "<dl>{}</dl>",
                format_html_join(
                    "",
                    "<dt>{}</dt><dd>{}</dd>",
                    ((humanise(k), render_scalar(v)) for k, v in value.items()),
                ),
            )
        heading = f"h{min(level, 6)}"
        return format_html_join(
            "",
            "<{}>{}</{}>{}",
            ((heading, humanise(k), heading, render_value(v, level + 1)) for k, v in value.items()),
        )
    if isinstance(value, list):
        if not value:
            return mark_safe('<p class="none">None.</p>')
        if all(_is_record(item) for item in value):
            return render_table(value)
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", "<li>{}</li>", ((render_value(v, level),) for v in value)),
        )
    return render_scalar(value)


def render_table(records):
    columns = list(dict.fromkeys(key for record in records for key in record))
    head = format_html_join("", '<th scope="col">{}</th>', ((humanise(c),) for c in columns))
    rows = format_html_join(
        "",
        "<tr>{}</tr>",
        (
            (format_html_join("", "<td>{}</td>", ((render_scalar(r.get(c)),) for c in columns)),)
            for r in records
        ),
    )
    return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", head, rows)


def render_scalar(value):
    if value is None or value == "":
        return mark_safe('<span class="none">—</span>')
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    return linebreaksbr(str(value), autoescape=True)
