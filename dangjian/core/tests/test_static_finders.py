"""The npm packages' files are served one by one, not as whole dist folders (collectstatic stays fast)."""

from django.contrib.staticfiles import finders

from dangjian.core.static_finders import PackageFileFinder


def test_the_charts_library_is_found_as_our_own_static_file():
    found = finders.find("vendor/echarts/echarts.min.js")
    assert found and found.endswith("node_modules/echarts/dist/echarts.min.js")


def test_only_the_named_files_and_their_source_maps_are_collected():
    listed = sorted(f"{storage.prefix}/{path}" for path, storage in PackageFileFinder().list(ignore_patterns=[]))
    assert "vendor/echarts/echarts.min.js" in listed
    assert "vendor/tom-select/js/tom-select.complete.min.js.map" in listed
    assert not any(name.endswith("echarts.js") or "/extension/" in name for name in listed)
    assert len(listed) <= 10


def test_a_file_outside_the_list_is_not_found():
    assert finders.find("vendor/echarts/echarts.js") is None
