"""Calls as an office reads them: legs folded into calls, views, the phone book.

It imports nothing from Home Assistant, only its sibling `api/` (a test checks), so
that, with `api/`, it could be published as a library:
- `tracker`: the call tracker, which folds the PBX's pushed legs into calls;
- `view`: `CallView`, what is shown of one change of a call (the only place a call
  becomes a dict);
- `phone_book`: names for numbers and prefixes, as text and for routing;
- `text_table`: tables edited as text, one `key = value` a line.
"""
