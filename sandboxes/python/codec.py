# codec.py: value <-> tagged JSON, shared by the judge and the candidate process.
#
# Only genuine built-in data crosses a process boundary. Subclasses of built-ins are read through the
# base type's own methods (an int subclass with an always-true __eq__ arrives as a plain int); anything
# else becomes an opaque handle {"$h": n} that compares equal only to itself. JSON objects on the wire
# are always tags, so a dict is {"$dict": [[k, v], ...]}. Numbers are lossless: ints outside +-2**53 as
# {"$int": digits}, every float as {"$float": repr} (so 5.0 is never read as the integer 5 on the host).
#   in:  a Python value (encode) or JSON text (decode)
#   out: JSON-ready data (encode) or plain Python values with Opaque handles (decode)
import json
import math
import base64

MAX_DEPTH = 200
SAFE_INT = 2 ** 53
MAX_ITER = 100000
_ITER_TYPES = tuple(type(x) for x in (
    (i for i in ()), map(abs, ()), filter(None, ()), zip(), enumerate(()), reversed(()), iter([]), iter(()),
    iter(''), iter({}), iter(set()), iter(range(0))))


class EncodeError(Exception):
    pass


class Codec:
    def __init__(self, make_handle=None):
        self.make_handle = make_handle

    def encode(self, v, depth=0):
        if depth > MAX_DEPTH:
            raise EncodeError('value nested too deeply (or cyclic)')
        t = type(v)
        d = depth + 1
        if v is None or t is bool:
            return v
        if t is int or (isinstance(v, int) and not isinstance(v, bool)):
            n = int.__mul__(v, 1)
            return n if -SAFE_INT < n < SAFE_INT else {'$int': int.__repr__(n)}
        if isinstance(v, float):
            # repr is the shortest text that reads back as the same double: 5.0 stays a float, 1e+20 exact
            return {'$float': float.__repr__(float.__mul__(v, 1.0))}
        if isinstance(v, str):
            return str.__getitem__(v, slice(None))
        if isinstance(v, list):
            return [self.encode(x, d) for x in list.__iter__(v)]
        if isinstance(v, tuple):
            return {'$tuple': [self.encode(x, d) for x in tuple.__iter__(v)]}
        if isinstance(v, frozenset):
            return {'$frozenset': [self.encode(x, d) for x in frozenset.__iter__(v)]}
        if isinstance(v, set):
            return {'$set': [self.encode(x, d) for x in set.__iter__(v)]}
        if isinstance(v, dict):
            return {'$dict': [[self.encode(k, d), self.encode(x, d)] for k, x in dict.items(v)]}
        if isinstance(v, (bytes, bytearray)):
            return {'$bytes': base64.b64encode(bytes(v)).decode('ascii')}
        if isinstance(v, complex):
            return {'$complex': [self.encode(complex.__getattribute__(v, 'real'), d),
                                 self.encode(complex.__getattribute__(v, 'imag'), d)]}
        if t is range:
            return {'$range': [v.start, v.stop, v.step]}
        if t in _ITER_TYPES:
            items = []
            for x in v:
                if len(items) >= MAX_ITER:
                    raise EncodeError('iterator too long')
                items.append(self.encode(x, d))
            return {'$iter': items}
        if self.make_handle is not None:
            return self.make_handle(v)
        raise EncodeError('cannot serialise a value of type ' + t.__name__)


class Opaque:
    """A value that stayed inside the other process: equal only to itself, never truthy by accident."""
    __slots__ = ('hid', 'tname', 'conn', 'truth')

    def __init__(self, hid, tname, conn, truth=None):
        self.hid = hid
        self.tname = tname
        self.conn = conn
        self.truth = truth

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other

    def __hash__(self):
        return hash(('opaque', self.hid))

    def __bool__(self):
        # the solution's own truthiness (a plain True/1 would pass the same `assert f(x)`; equality never does)
        if type(self.truth) is not bool:
            raise TypeError('an opaque ' + self.tname + ' from the solution has no truth value here')
        return self.truth

    def __repr__(self):
        return '<opaque ' + self.tname + '>'

    def __call__(self, *args, **kwargs):
        if self.conn is None:
            raise TypeError('opaque value is not callable')
        return self.conn.call({'$h': self.hid}, args, kwargs)

    def __getattr__(self, name):
        if name.startswith('__') or self.conn is None:
            raise AttributeError(name)
        return self.conn.getattr(self.hid, name)


def decode_value(x, conn=None):
    if type(x) is list:
        return [decode_value(y, conn) for y in x]
    if type(x) is not dict:
        return x
    if '$h' in x or '$g' in x:
        if conn is None:
            raise ValueError('reference without a connection')
        return conn.ref(x)
    if len(x) != 1:
        raise ValueError('bad tag object')
    (tag, body), = x.items()
    if tag == '$int':
        return int(body)
    if tag == '$float':
        return float(body)
    if tag == '$tuple':
        return tuple(decode_value(y, conn) for y in body)
    if tag == '$set':
        return set(decode_value(y, conn) for y in body)
    if tag == '$frozenset':
        return frozenset(decode_value(y, conn) for y in body)
    if tag == '$dict':
        return {decode_value(k, conn): decode_value(v, conn) for k, v in body}
    if tag == '$bytes':
        return base64.b64decode(body)
    if tag == '$complex':
        return complex(decode_value(body[0]), decode_value(body[1]))
    if tag == '$iter':
        return iter([decode_value(y, conn) for y in body])
    if tag == '$range':
        return range(int(body[0]), int(body[1]), int(body[2]))
    raise ValueError('unknown tag ' + tag)


def dumps(obj):
    return json.dumps(obj, separators=(',', ':'), allow_nan=False)
