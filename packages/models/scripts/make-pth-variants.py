"""Builds the .pth variants the bridge tests load, from the official fixture
fixtures/pytorch/segment_l2_s2/model.pth (written by torch.save). Standard library only (no torch):
the pickle is rewritten opcode by opcode and checked with a restricted Unpickler.

  python3 packages/models/scripts/make-pth-variants.py

Outputs in packages/models/test-fixtures/:
  segment_deflate.pth        the same archive, entries deflate-compressed, root folder 'archive/'
  segment_wrapped.pth        {'epoch': 3, 'state_dict': {'module.' + key: tensor}}
  segment_model_wrapper.pth  {'model': state_dict}
  evil.pth                   data.pkl calls os.system (must be refused, never run)
"""
import io
import pathlib
import pickle
import pickletools
import struct
import zipfile

ROOT = pathlib.Path(__file__).resolve().parents[3]
SOURCE = ROOT / 'fixtures/pytorch/segment_l2_s2/model.pth'
OUT = pathlib.Path(__file__).resolve().parents[1] / 'test-fixtures'


def read_archive(path):
    with zipfile.ZipFile(path) as z:
        return {name.split('/', 1)[1]: z.read(name) for name in z.namelist()}


def write_archive(path, files, compression):
    with zipfile.ZipFile(path, 'w', compression=compression) as z:
        for name, data in files.items():
            z.writestr('archive/' + name, data)


def body_ops(data, prefix=''):
    """The pickle's opcodes between PROTO and STOP, with state_dict keys prefixed."""
    ops = list(pickletools.genops(data))
    out = bytearray()
    for i, (op, arg, pos) in enumerate(ops):
        end = ops[i + 1][2] if i + 1 < len(ops) else len(data)
        if op.name in ('PROTO', 'STOP'):
            continue
        if op.name == 'BINUNICODE' and prefix and arg.split('.')[0] in ('layers', 'conv', 'expand', 'pool'):
            encoded = (prefix + arg).encode()
            out += b'X' + struct.pack('<I', len(encoded)) + encoded
        else:
            out += data[pos:end]
    return bytes(out)


def unicode(text):
    encoded = text.encode()
    return b'X' + struct.pack('<I', len(encoded)) + encoded


class Stub:
    def __init__(self, *args):
        self.args = args


class CheckingUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) == ('collections', 'OrderedDict'):
            import collections
            return collections.OrderedDict
        if module in ('torch._utils', 'torch'):
            return Stub
        raise pickle.UnpicklingError(f'{module}.{name}')

    def persistent_load(self, pid):
        return pid


def check(data):
    return CheckingUnpickler(io.BytesIO(data)).load()


def main():
    OUT.mkdir(exist_ok=True)
    files = read_archive(SOURCE)
    original = files['data.pkl']
    keys = list(check(original).keys())

    write_archive(OUT / 'segment_deflate.pth', files, zipfile.ZIP_DEFLATED)

    wrapped = (b'\x80\x02}' + unicode('epoch') + b'K\x03s' + unicode('state_dict')
               + body_ops(original, 'module.') + b's.')
    loaded = check(wrapped)
    assert loaded['epoch'] == 3 and list(loaded['state_dict'].keys()) == ['module.' + k for k in keys]
    write_archive(OUT / 'segment_wrapped.pth', {**files, 'data.pkl': wrapped}, zipfile.ZIP_STORED)

    model = b'\x80\x02}' + unicode('model') + body_ops(original) + b's.'
    assert list(check(model)['model'].keys()) == keys
    write_archive(OUT / 'segment_model_wrapper.pth', {**files, 'data.pkl': model}, zipfile.ZIP_STORED)

    evil = b'\x80\x02cos\nsystem\n' + unicode('echo this must never run') + b'\x85R.'
    write_archive(OUT / 'evil.pth', {'data.pkl': evil, 'version': b'3\n'}, zipfile.ZIP_STORED)


if __name__ == '__main__':
    main()
