from tests.i18n_en import english_catalogues

_english = english_catalogues("portal")  # the search page's English (issue 15 item 10)
