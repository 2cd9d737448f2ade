"""kombu's filesystem transport (the embedded default's broker), creating its folders itself.

kombu needs the queue, control and processed folders to exist before a message is written or
read; the settings must not create them at import, so the channel does when first opened.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kombu.transport import filesystem


class FilesystemChannel(filesystem.Channel):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = self.transport_options
        for key in ("data_folder_in", "data_folder_out", "control_folder", "processed_folder"):
            if options.get(key):
                Path(options[key]).mkdir(parents=True, exist_ok=True)


class FilesystemTransport(filesystem.Transport):
    Channel = FilesystemChannel
