#!/usr/bin/env python3
"""Reference outputs from real Pillow for workers/python/pillowEquivalence.test.ts.

Usage: python3 scripts/pillow_reference.py OPS_JSON OUT_DIR IMAGE [IMAGE ...]

OPS_JSON is a list of {"id": str, "code": str}. Each `code` is Python run with `im` bound to the
sample image (decoded here and converted to RGB) and Image, ImageOps, ImageEnhance, ImageFilter
in scope; it must assign `result`. The same code runs in the compat layer inside Pyodide, so the
test compares operations, not decoders: the decoded input of every sample is written out too
and fed to the compat layer unchanged.

Writes OUT_DIR/manifest.json:
  {"pillow": version, "samples": {name: {"input": {mode, width, height, file},
                                        "results": {op_id: {kind, ...}}}}}
where kind is "image" (mode, width, height, file with raw bytes), "value" (JSON value) or
"error" (type, message).

Needs Debian's python3-pil 9.4 (apt-get install -y python3-pil).
"""

import json
import os
import sys

try:
    from PIL import Image, ImageEnhance, ImageFilter, ImageOps
    import PIL
except ImportError:
    sys.stderr.write("Pillow is missing: run `apt-get install -y python3-pil`\n")
    sys.exit(3)


def to_jsonable(v):
    if isinstance(v, tuple):
        return [to_jsonable(x) for x in v]
    if isinstance(v, list):
        return [to_jsonable(x) for x in v]
    return v


def run_op(code, im):
    ns = {"Image": Image, "ImageOps": ImageOps, "ImageEnhance": ImageEnhance, "ImageFilter": ImageFilter, "im": im}
    exec(code, ns)
    return ns["result"]


def main():
    ops_path, out_dir, *images = sys.argv[1:]
    with open(ops_path) as f:
        ops = json.load(f)
    os.makedirs(out_dir, exist_ok=True)
    manifest = {"pillow": PIL.__version__, "samples": {}}
    for path in images:
        name = os.path.splitext(os.path.basename(path))[0]
        im = Image.open(path).convert("RGB")
        in_file = f"{name}.input.raw"
        with open(os.path.join(out_dir, in_file), "wb") as f:
            f.write(im.tobytes())
        entry = {"input": {"mode": im.mode, "width": im.width, "height": im.height, "file": in_file}, "results": {}}
        for op in ops:
            try:
                r = run_op(op["code"], im.copy())
            except Exception as e:  # recorded: the compat layer must raise the same type
                entry["results"][op["id"]] = {"kind": "error", "type": type(e).__name__, "message": str(e)}
                continue
            if isinstance(r, Image.Image):
                file = f"{name}__{op['id']}.raw"
                with open(os.path.join(out_dir, file), "wb") as f:
                    f.write(r.tobytes())
                entry["results"][op["id"]] = {"kind": "image", "mode": r.mode, "width": r.width, "height": r.height, "file": file}
            else:
                entry["results"][op["id"]] = {"kind": "value", "value": to_jsonable(r)}
        manifest["samples"][name] = entry
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f)


if __name__ == "__main__":
    main()
