#!/bin/sh
# lgsim's message catalogue (gettext, with Babel from the [dev] extra).
#
#   tools/i18n.sh            extract the strings, update zh_CN's .po, compile the .mo
#   tools/i18n.sh extract    only write lgsim/locale/lgsim.pot from the code
#   tools/i18n.sh update     extract, then merge the .pot into zh_CN's .po
#   tools/i18n.sh compile    compile the .po into the .mo that ships in the package
#
# Workflow: mark new text _("...") in the code (English), run `tools/i18n.sh update`,
# translate the new (empty) msgstr entries of lgsim/locale/zh_CN/LC_MESSAGES/lgsim.po,
# run `tools/i18n.sh compile` and commit the .pot, .po and .mo together;
# tests/test_i18n.py fails while they disagree with the code or each other.
set -eu
cd "$(dirname "$0")/.."
POT=lgsim/locale/lgsim.pot

extract() {
    pybabel extract -F babel.cfg -o "$POT" --add-location=file --sort-output \
        --project=lgsim --copyright-holder="lgsim contributors" \
        --msgid-bugs-address="https://github.com/lgsim/lgsim/issues" \
        -c TRANSLATORS: --width=100 lgsim
}

update() {
    extract
    pybabel update -i "$POT" -d lgsim/locale -D lgsim -l zh_CN --no-fuzzy-matching \
        --ignore-obsolete --init-missing --width=100
}

compile_mo() {
    pybabel compile -d lgsim/locale -D lgsim -l zh_CN --statistics
}

case "${1:-all}" in
    extract) extract ;;
    update) update ;;
    compile) compile_mo ;;
    all) update; compile_mo ;;
    *) echo "usage: tools/i18n.sh [extract|update|compile]" >&2; exit 2 ;;
esac
