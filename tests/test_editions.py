import pytest

from nianbao.model.edition import edition_for, load_edition


def test_edition_for_picks_the_edition_in_force():
    assert edition_for(2019).id == "2019"
    assert edition_for(2020).id == "2019"
    assert edition_for(2021).id == "2021"
    assert edition_for(2030).id == "2021"
    with pytest.raises(LookupError):
        edition_for(2018)


def test_cell_counts_match_the_forms():
    e19, e21 = load_edition("2019"), load_edition("2021")
    assert len(e19.tables["requests"].rows) == 23 and len(e21.tables["requests"].rows) == 25
    assert all(len(e.tables["requests"].columns) == 7 for e in (e19, e21))
    assert all(len(e.tables["appeals"].cells) == 15 for e in (e19, e21))
    assert len(e19.tables["proactive"].cells) == 22
    assert len(e21.tables["proactive"].cells) == 10
    assert e19.cell_count == 198


def test_labels_are_the_official_wording():
    e19, e21 = load_edition("2019"), load_edition("2021")
    req = e21.tables["requests"]
    assert req.row("withheld_three_safeties").label == "3.危及“三安全一稳定”"
    assert req.row("withheld_state_secret").full_label == "（三）不予公开 1.属于国家秘密"
    assert req.row("other_misc").full_label == "（六）其他处理 3.其他"
    assert req.row("granted").full_label == "（一）予以公开"
    assert e19.tables["requests"].row("other").label == "（六）其他处理"
    assert e21.tables["proactive"].column("amount").label == "本年收费金额（单位：万元）"
    assert e19.tables["proactive"].row("normative_documents").label == "规范性文件"
    assert e21.tables["proactive"].row("normative_documents").label == "行政规范性文件"
    assert e21.tables["appeals"].row("suit_after_review").full_label == "行政诉讼 复议后起诉"
    assert e19.heading("appeals") == "四、政府信息公开行政复议、行政诉讼情况"


def test_value_types():
    p19 = load_edition("2019").tables["proactive"]
    assert p19.value_type("change") == "signed_count"
    assert p19.value_type("amount") == "amount"
    assert p19.value_type("decisions") == "count"
