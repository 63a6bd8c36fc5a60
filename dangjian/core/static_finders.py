"""A staticfiles finder for single files of npm packages, so that a package's whole dist folder is not collected."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage, Error
from django.core.files.storage import FileSystemStorage


class PackageFileFinder(BaseFinder):
    """Finds the files named in settings.PACKAGE_STATIC_FILES ({static path: file in node_modules}), each with its
    source map when the package ships one beside it (the manifest storage follows a sourceMappingURL and fails
    when the map is missing)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.files: dict[str, Path] = {}
        for name, source in getattr(settings, "PACKAGE_STATIC_FILES", {}).items():
            self.files[name] = Path(source)
            source_map = Path(f"{source}.map")
            if source_map.is_file():
                self.files[f"{name}.map"] = source_map

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        return [
            Error(f"PACKAGE_STATIC_FILES: {name} must be a relative path.", id="core.E101")
            for name in self.files
            if name.startswith("/") or ".." in name.split("/")
        ]

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:  # str, or a list with find_all
        source = self.files.get(path)
        if source is None or not source.is_file():
            return []  # as Django's own finders answer "not here"
        return [str(source)] if find_all else str(source)

    def list(self, ignore_patterns: Any) -> Any:
        for name, source in self.files.items():
            if not source.is_file():
                continue
            storage = FileSystemStorage(location=str(source.parent))
            # collectstatic and whitenoise prefix a listed path with the storage's prefix.
            storage.prefix = name.rpartition("/")[0]  # type: ignore[attr-defined]
            yield source.name, storage
