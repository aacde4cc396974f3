"""The tfplugin6 message classes, compiled on first use from ``proto/tfplugin6.proto``.

Nothing generated is checked in: the proto (written for this project, see its header) is
compiled with the pinned grpcio-tools into the cache (``.stamps/terraform-standin/``, see
cache.py) under a key of the proto's content, the grpcio-tools and protobuf versions and the
stand-in's code, so changing any of them regenerates it.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from tools.terraform_standin.cache import cached_dir

PROTO = Path(__file__).resolve().parent / "proto" / "tfplugin6.proto"
MODULE_NAME = "tfplugin6_pb2"


def _compile(directory: Path) -> None:
    from grpc_tools import protoc  # only needed on a cache miss

    status = protoc.main(["protoc", f"-I{PROTO.parent}", f"--python_out={directory}", str(PROTO)])
    if status != 0:
        raise RuntimeError(f"protoc failed ({status}) on {PROTO}")


def cache_inputs() -> tuple[Path, str]:
    """What the compiled module is made from, besides the stand-in's code (cache.py adds that):
    the proto and the versions of the compiler and of the runtime the generated code targets."""
    # Module attributes rather than importlib.metadata: this runs at every provider start.
    from google.protobuf import __version__ as protobuf_version
    from grpc_tools.grpc_version import VERSION as grpc_tools_version

    return PROTO, f"grpcio-tools=={grpc_tools_version} protobuf=={protobuf_version}"


def load() -> ModuleType:
    """The compiled ``tfplugin6_pb2`` module (compiling it first if this proto is new)."""
    if MODULE_NAME in sys.modules:
        return sys.modules[MODULE_NAME]
    directory = cached_dir("protocol", _compile, inputs=cache_inputs())
    spec = importlib.util.spec_from_file_location(MODULE_NAME, directory / f"{MODULE_NAME}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[MODULE_NAME] = module
    spec.loader.exec_module(module)
    return module
