#!/usr/bin/env python3
"""Write small fake PyTorch checkpoints (no PyTorch needed) to test convert-fid-inception.py.

Usage: python3 scripts/make-fake-pth.py OUT_DIR

Writes OUT_DIR/fake-zip.pth (PyTorch >= 1.6 zip layout: archive/data.pkl, archive/data/<key>,
archive/version, archive/byteorder) and OUT_DIR/fake-legacy.pth (the legacy layout: magic number,
protocol 1001, system info, the pickle, the storage keys, then each storage as an int64 element count
and its raw bytes). Both hold the same state dict, pickled exactly as torch.save does: tensors
reduce to torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks) and
storages are persistent ids ('storage', torch.FloatStorage, key, 'cpu', numel[, None]). The torch
names are stand-ins registered in sys.modules so that pickle can refer to them.

Contents, with values that have closed forms so a test can check the transposes:
- Conv2d_1a_3x3.conv.weight [4, 3, 2, 3] float32: value o*1000 + i*100 + h*10 + w
- Conv2d_1a_3x3.bn.weight / bn.bias [4]: 1 + c / 2, c - 1.5  (bias in a float64 storage)
- Conv2d_1a_3x3.bn.running_mean / running_var [4]: c / 10 and 2 + c, views at offsets 0 and 4 of
  one shared 8-element storage
- Conv2d_1a_3x3.bn.num_batches_tracked: int64 scalar 7 (dropped by the converter)
- fc.weight [5, 4]: value r * 10 + c, stored column-major (stride (1, 5)) inside its storage
- fc.bias [5]: 0.5 * r, wrapped in torch._utils._rebuild_parameter (an nn.Parameter)
"""
import collections
import os
import pickle
import struct
import sys
import types
import zipfile

import numpy as np


def _install_fake_torch():
    torch = types.ModuleType('torch')
    utils = types.ModuleType('torch._utils')
    torch._utils = utils

    def _rebuild_tensor_v2(*args):
        raise RuntimeError('stand-in only')

    def _rebuild_parameter(*args):
        raise RuntimeError('stand-in only')

    for f in (_rebuild_tensor_v2, _rebuild_parameter):
        f.__module__ = 'torch._utils'
        f.__qualname__ = f.__name__
        setattr(utils, f.__name__, f)
    for name in ('FloatStorage', 'DoubleStorage', 'LongStorage'):
        cls = type(name, (), {})
        cls.__module__ = 'torch'
        setattr(torch, name, cls)
    sys.modules['torch'] = torch
    sys.modules['torch._utils'] = utils
    return torch


torch = _install_fake_torch()


class FakeStorage:
    def __init__(self, key, array, cls):
        self.key = key
        self.array = np.ascontiguousarray(array)
        self.cls = cls


class FakeTensor:
    def __init__(self, storage, offset, size, stride):
        self.args = (storage, offset, tuple(size), tuple(stride), False, collections.OrderedDict())

    def __reduce__(self):
        return (torch._utils._rebuild_tensor_v2, self.args)


class FakeParameter:
    def __init__(self, tensor):
        self.tensor = tensor

    def __reduce__(self):
        return (torch._utils._rebuild_parameter, (self.tensor, True, collections.OrderedDict()))


def contiguous_stride(shape):
    stride = []
    acc = 1
    for d in reversed(shape):
        stride.append(acc)
        acc *= d
    return tuple(reversed(stride))


def build():
    storages = []

    def storage(array, cls):
        s = FakeStorage(str(len(storages)), array, cls)
        storages.append(s)
        return s

    o, i, h, w = np.meshgrid(np.arange(4), np.arange(3), np.arange(2), np.arange(3), indexing='ij')
    conv = (o * 1000 + i * 100 + h * 10 + w).astype(np.float32)
    c = np.arange(4)
    shared = np.concatenate([c / 10, 2 + c]).astype(np.float32)
    r, cc = np.meshgrid(np.arange(5), np.arange(4), indexing='ij')
    fc = (r * 10 + cc).astype(np.float32)  # [5, 4]
    fc_storage = np.concatenate([fc.T.reshape(-1), np.full(3, -99, np.float32)])  # column-major + junk
    s_shared = storage(shared, torch.FloatStorage)
    state = collections.OrderedDict()
    state['Conv2d_1a_3x3.conv.weight'] = FakeTensor(storage(conv.reshape(-1), torch.FloatStorage), 0, conv.shape, contiguous_stride(conv.shape))
    state['Conv2d_1a_3x3.bn.weight'] = FakeTensor(storage((1 + c / 2).astype(np.float32), torch.FloatStorage), 0, [4], [1])
    state['Conv2d_1a_3x3.bn.bias'] = FakeTensor(storage((c - 1.5).astype(np.float64), torch.DoubleStorage), 0, [4], [1])
    state['Conv2d_1a_3x3.bn.running_mean'] = FakeTensor(s_shared, 0, [4], [1])
    state['Conv2d_1a_3x3.bn.running_var'] = FakeTensor(s_shared, 4, [4], [1])
    state['Conv2d_1a_3x3.bn.num_batches_tracked'] = FakeTensor(storage(np.array([7], np.int64), torch.LongStorage), 0, [], [])
    state['fc.weight'] = FakeTensor(storage(fc_storage, torch.FloatStorage), 0, [5, 4], [1, 5])
    state['fc.bias'] = FakeParameter(FakeTensor(storage((0.5 * np.arange(5)).astype(np.float32), torch.FloatStorage), 0, [5], [1]))
    return state, storages


class CheckpointPickler(pickle.Pickler):
    def __init__(self, f, legacy):
        super().__init__(f, protocol=2)
        self.legacy = legacy

    def persistent_id(self, obj):
        if isinstance(obj, FakeStorage):
            pid = ('storage', obj.cls, obj.key, 'cpu', int(obj.array.size))
            return pid + (None,) if self.legacy else pid
        return None


def write_zip(path, state, storages):
    import io
    buf = io.BytesIO()
    CheckpointPickler(buf, legacy=False).dump(state)
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_STORED) as z:
        z.writestr('archive/data.pkl', buf.getvalue())
        z.writestr('archive/byteorder', 'little')
        for s in storages:
            z.writestr(f'archive/data/{s.key}', s.array.astype(s.array.dtype.newbyteorder('<')).tobytes())
        z.writestr('archive/version', '3\n')


def write_legacy(path, state, storages):
    with open(path, 'wb') as f:
        pickle.dump(0x1950A86A20F9469CFC6C, f, protocol=2)
        pickle.dump(1001, f, protocol=2)
        pickle.dump({'protocol_version': 1001, 'little_endian': True, 'type_sizes': {'short': 2, 'int': 4, 'long': 4}}, f, protocol=2)
        CheckpointPickler(f, legacy=True).dump(state)
        pickle.dump([s.key for s in storages], f, protocol=2)
        for s in storages:
            f.write(struct.pack('<q', int(s.array.size)))
            f.write(s.array.tobytes())


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    state, storages = build()
    write_zip(os.path.join(out_dir, 'fake-zip.pth'), state, storages)
    write_legacy(os.path.join(out_dir, 'fake-legacy.pth'), state, storages)


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else '.')
