"""words: the campaign's words read from content/ into checked objects: concerns, topics, figures'
sentences and who holds each power. Imports core, data and places."""
