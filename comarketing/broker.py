"""The filesystem broker of the embedded default (no Redis), with every message whole before a worker sees it."""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        # kombu creates a message file under its final name and then writes it: a worker polling at that moment
        # moves the still empty file away and fails on it (the message is lost). Written aside, then renamed
        # into place in one step, a file is complete whenever it is seen (the reader skips names not ending .msg).
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        try:
            with open(f"{final}.part", "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(f"{final}.part", final)
        except OSError as error:
            raise ChannelError(f"Cannot add file {final!r} to directory") from error


class Transport(filesystem.Transport):
    Channel = Channel
