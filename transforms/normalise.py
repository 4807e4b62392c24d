"""Raw items -> article records: clean text, language, publication date, stable id."""
from __future__ import annotations

from newsmon.transforms import records


def normalise_item(item: dict) -> dict:
    """An article record for one raw item (see `transforms.readers` for the raw fields)."""
    article = records.new_article(
        origin=item["origin"],
        input_ref=item["input"],
        order_key=item["order_key"],
        title=item["title"],
        text=item["text"],
        path=item.get("path"),
        url=item.get("url"),
        source=item.get("source"),
        published_at=item.get("published"),
        language="en",
    )
    if records.ARRIVAL in item:
        article[records.ARRIVAL] = item[records.ARRIVAL]
    return article
