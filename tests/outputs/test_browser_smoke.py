def test_fixture_refuses_network(offline_page):
    page = offline_page.page
    page.set_content('<img src="http://example.org/x.png"><p>hi</p>')
    page.wait_for_load_state("load")
    assert page.inner_text("p") == "hi"
    assert offline_page.refused == ["http://example.org/x.png"]
