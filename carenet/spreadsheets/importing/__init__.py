"""Importing the registry from spreadsheets: households with their people, and volunteers.

`import_households` and `import_volunteers` check a whole CSV or XLSX file and import it in
one transaction, or nothing at all; both return an `ImportResult`. See households.py for how
a file of a million rows is read and written, and common.py for what the two share.
"""

from carenet.spreadsheets.importing.common import Counts, ImportResult
from carenet.spreadsheets.importing.households import import_households
from carenet.spreadsheets.importing.volunteers import import_volunteers

__all__ = ["Counts", "ImportResult", "import_households", "import_volunteers"]
