#!/usr/bin/env python3
"""Convert pytorch-fid's FID Inception weights to the tfjs weights format, without PyTorch.

Usage:
    python3 scripts/convert-fid-inception.py pt_inception-2015-12-05-6726825d.pth out/fid-inception

writes out/fid-inception.json (a tfjs weights manifest: {"weightsManifest": [{"paths": [...],
"weights": [{"name", "shape", "dtype"}]}]}) and out/fid-inception.bin (float32, little-endian), which
@gankit/metrics' loadFidInception() reads. Only numpy is needed.

A PyTorch checkpoint is a pickle whose tensors refer to raw storages by key. Two layouts exist and
both are read:

- the zip layout (PyTorch >= 1.6): a zip archive `<name>/data.pkl` (the pickle), `<name>/data/<key>`
  (each storage's raw bytes), `<name>/version`, optionally `<name>/byteorder`;
- the legacy layout (PyTorch < 1.6): five things one after another in the file: a pickled magic
  number, the protocol version 1001, a dict of system info, the main pickle, a pickled list of
  storage keys, then for each key an int64 element count followed by the storage's raw bytes.

In both, the main pickle calls `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)`
for each tensor, and storages appear as persistent ids `('storage', torch.FloatStorage, key,
location, numel[, view_metadata])`. A restricted Unpickler maps those names to numpy views of the
storages and refuses every other global, so no code from the file runs.

Conversion: `num_batches_tracked` counters are dropped; floating tensors become float32; 4-D conv
weights `[out, in, kh, kw]` are transposed to tfjs's `[kh, kw, in, out]`; 2-D `*.weight` matrices
(the `fc` layer, `[out, in]`) to `[in, out]`. Tensor names and their order are kept.
"""
import argparse
import collections
import json
import os
import pickle
import struct
import sys
import zipfile

import numpy as np

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
LEGACY_PROTOCOL = 1001

STORAGE_DTYPES = {
    'FloatStorage': np.float32,
    'DoubleStorage': np.float64,
    'HalfStorage': np.float16,
    'BFloat16Storage': 'bfloat16',
    'LongStorage': np.int64,
    'IntStorage': np.int32,
    'ShortStorage': np.int16,
    'CharStorage': np.int8,
    'ByteStorage': np.uint8,
    'BoolStorage': np.bool_,
}


class StorageType:
    """Stands for a torch.*Storage class in the pickle."""

    def __init__(self, name):
        if name not in STORAGE_DTYPES:
            raise ValueError(f'unsupported storage type torch.{name}')
        self.name = name
        dt = STORAGE_DTYPES[name]
        self.bfloat16 = dt == 'bfloat16'
        self.dtype = np.dtype(np.uint16 if self.bfloat16 else dt)


class Storage:
    """A storage whose bytes are read later (the legacy layout stores them after the pickle)."""

    def __init__(self, stype, key, numel):
        self.stype = stype
        self.key = key
        self.numel = numel
        self.array = None  # 1-D numpy array, set by the loader
        self.base = None  # (root storage, element offset) for legacy views

    def values(self):
        if self.base is not None:
            root, offset = self.base
            return root.values()[offset:offset + self.numel]
        if self.array is None:
            raise ValueError(f'storage {self.key!r} has no data in the file')
        return self.array


class LazyTensor:
    """A tensor view (offset, size, stride in elements) of a storage, made concrete later."""

    def __init__(self, storage, offset, size, stride):
        self.storage = storage
        self.offset = int(offset)
        self.size = tuple(int(s) for s in size)
        self.stride = tuple(int(s) for s in stride)

    def numpy(self):
        flat = self.storage.values()
        itemsize = flat.dtype.itemsize
        needed = self.offset + 1 + sum((n - 1) * s for n, s in zip(self.size, self.stride)) if all(self.size) else 0
        if needed > flat.size:
            raise ValueError(f'tensor of size {self.size} at offset {self.offset} overruns its storage of {flat.size} elements')
        view = np.lib.stride_tricks.as_strided(
            flat[self.offset:], shape=self.size, strides=tuple(s * itemsize for s in self.stride), writeable=False)
        out = np.array(view)  # a contiguous copy
        if self.storage.stype.bfloat16:
            out = (out.astype(np.uint32) << 16).view(np.float32)
        return out


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None, metadata=None):
    return LazyTensor(storage, storage_offset, size, stride)


def _rebuild_tensor(storage, storage_offset, size, stride):
    return LazyTensor(storage, storage_offset, size, stride)


def _rebuild_parameter(data, requires_grad=False, backward_hooks=None):
    return data


def _rebuild_parameter_with_state(data, requires_grad=False, backward_hooks=None, state=None):
    return data


SAFE_GLOBALS = {
    ('torch._utils', '_rebuild_tensor_v2'): _rebuild_tensor_v2,
    ('torch._utils', '_rebuild_tensor'): _rebuild_tensor,
    ('torch._utils', '_rebuild_parameter'): _rebuild_parameter,
    ('torch._utils', '_rebuild_parameter_with_state'): _rebuild_parameter_with_state,
    ('collections', 'OrderedDict'): collections.OrderedDict,
}


class CheckpointUnpickler(pickle.Unpickler):
    """Unpickles a PyTorch checkpoint's pickle into LazyTensors; refuses any other code."""

    def __init__(self, file, storages):
        super().__init__(file, encoding='utf-8')
        self.storages = storages  # key -> Storage

    def find_class(self, module, name):
        if (module, name) in SAFE_GLOBALS:
            return SAFE_GLOBALS[(module, name)]
        if module == 'torch' and name in STORAGE_DTYPES:
            return StorageType(name)
        raise pickle.UnpicklingError(f'refusing to load {module}.{name} from the checkpoint (not a tensor)')

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or len(pid) < 5:
            raise pickle.UnpicklingError(f'unexpected persistent id {pid!r}')
        kind = pid[0].decode('ascii') if isinstance(pid[0], bytes) else pid[0]
        if kind != 'storage':
            raise pickle.UnpicklingError(f'unsupported persistent id kind {kind!r}')
        stype, key, _location, numel = pid[1], str(pid[2]), pid[3], int(pid[4])
        view = pid[5] if len(pid) > 5 else None
        if not isinstance(stype, StorageType):
            raise pickle.UnpicklingError(f'unexpected storage type {stype!r}')
        if key not in self.storages:
            self.storages[key] = Storage(stype, key, numel)
        root = self.storages[key]
        if view is not None:  # legacy: (view_key, offset, view_size) into the root storage
            view_key, offset, view_size = view
            view_key = str(view_key)
            if view_key not in self.storages:
                v = Storage(stype, view_key, int(view_size))
                v.base = (root, int(offset))
                self.storages[view_key] = v
            return self.storages[view_key]
        return root


def _array_from_bytes(data, stype, big_endian=False):
    dt = stype.dtype.newbyteorder('>') if big_endian and stype.dtype.itemsize > 1 else stype.dtype
    return np.frombuffer(data, dtype=dt).astype(stype.dtype, copy=False)


def load_zip(path):
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        pkl = [n for n in names if n.endswith('data.pkl')]
        if not pkl:
            raise ValueError(f'{path}: a zip without data.pkl is not a PyTorch checkpoint')
        prefix = pkl[0][: -len('data.pkl')]
        big = (prefix + 'byteorder') in names and z.read(prefix + 'byteorder').decode().strip() == 'big'
        storages = {}
        with z.open(pkl[0]) as f:
            result = CheckpointUnpickler(f, storages).load()
        for key, s in storages.items():
            if s.base is not None:
                continue
            entry = f'{prefix}data/{key}'
            if entry not in names:
                raise ValueError(f'{path}: storage {key!r} is missing ({entry})')
            s.array = _array_from_bytes(z.read(entry), s.stype, big)
    return result


def load_legacy(path):
    with open(path, 'rb') as f:
        magic = pickle.load(f)
        if magic != LEGACY_MAGIC:
            raise ValueError(f'{path}: not a PyTorch checkpoint (bad magic number)')
        protocol = pickle.load(f)
        if protocol != LEGACY_PROTOCOL:
            raise ValueError(f'{path}: unsupported legacy protocol {protocol}')
        sys_info = pickle.load(f)
        big = isinstance(sys_info, dict) and sys_info.get('little_endian') is False
        storages = {}
        result = CheckpointUnpickler(f, storages).load()
        keys = CheckpointUnpickler(f, storages).load()
        for key in keys:
            key = str(key)
            s = storages.get(key)
            if s is None:
                raise ValueError(f'{path}: storage {key!r} is listed but not used by any tensor')
            (numel,) = struct.unpack('>q' if big else '<q', f.read(8))
            nbytes = numel * s.stype.dtype.itemsize
            data = f.read(nbytes)
            if len(data) != nbytes:
                raise ValueError(f'{path}: file ends inside storage {key!r} (truncated?)')
            s.array = _array_from_bytes(data, s.stype, big)
    return result


def load_checkpoint(path):
    """Reads a .pth file (either layout) into an ordered dict of numpy arrays."""
    result = load_zip(path) if zipfile.is_zipfile(path) else load_legacy(path)
    if isinstance(result, dict) and 'state_dict' in result and isinstance(result['state_dict'], dict):
        result = result['state_dict']
    if not isinstance(result, dict):
        raise ValueError(f'{path}: expected a state dict, got {type(result).__name__}')
    out = collections.OrderedDict()
    for name, t in result.items():
        if isinstance(t, LazyTensor):
            out[str(name)] = t.numpy()
    return out


def to_tfjs_layout(name, a):
    """float32, conv [out, in, kh, kw] -> [kh, kw, in, out], dense [out, in] -> [in, out]."""
    a = np.asarray(a, dtype=np.float32)
    if a.ndim == 4:
        a = a.transpose(2, 3, 1, 0)
    elif a.ndim == 2 and name.endswith('.weight'):
        a = a.T
    return np.ascontiguousarray(a)


def convert(src, out_prefix):
    state = load_checkpoint(src)
    weights = []
    chunks = []
    skipped = []
    for name, a in state.items():
        if name.endswith('num_batches_tracked'):
            continue
        if not (np.issubdtype(a.dtype, np.floating)):
            skipped.append(name)
            continue
        t = to_tfjs_layout(name, a)
        weights.append({'name': name, 'shape': [int(d) for d in t.shape], 'dtype': 'float32'})
        chunks.append(t.astype('<f4').tobytes())
    out_dir = os.path.dirname(out_prefix)
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
    bin_name = os.path.basename(out_prefix) + '.bin'
    with open(out_prefix + '.bin', 'wb') as f:
        for c in chunks:
            f.write(c)
    manifest = {
        'format': 'tfjs-weights',
        'generatedBy': 'gankit convert-fid-inception.py',
        'source': os.path.basename(src),
        'weightsManifest': [{'paths': [bin_name], 'weights': weights}],
    }
    with open(out_prefix + '.json', 'w') as f:
        json.dump(manifest, f, indent=1)
    n = sum(int(np.prod(w['shape'])) for w in weights)
    print(f'wrote {out_prefix}.json and {bin_name}: {len(weights)} tensors, {n} parameters'
          + (f'; skipped non-float tensors: {", ".join(skipped)}' if skipped else ''))
    return manifest


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('pth', help='the .pth file, e.g. pt_inception-2015-12-05-6726825d.pth')
    p.add_argument('out', help='output prefix: writes <out>.json and <out>.bin')
    args = p.parse_args(argv)
    convert(args.pth, args.out)


if __name__ == '__main__':
    main(sys.argv[1:])
