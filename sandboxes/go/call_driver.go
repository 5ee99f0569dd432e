// Call-test driver for Go: a second file of package main next to the solution (src/rewards/code/native-call.ts
// replaces RV_FUNC with the function's name). stdin: line 1 the run's nonce, line 2 the arguments as a JSON
// array. The parameter types come from the function's reflect.Type; each argument is converted to its type
// (a mismatch exits 3). The results (one value, or a $tuple of several) are serialised to tagged JSON
// (compare.ts) and written once, as "<nonce> <json>\n", to fd 4; then the process exits 0.
package main

import (
	rvBytes "bytes"
	rvJSON "encoding/json"
	rvIO "io"
	rvMath "math"
	rvOS "os"
	rvReflect "reflect"
	rvStrconv "strconv"
	rvStrings "strings"
)

func rvDie(why string) {
	rvOS.Stderr.WriteString("call driver: " + why + "\n")
	rvOS.Exit(3)
}

func rvNumber(j interface{}, t rvReflect.Type) rvReflect.Value {
	v := rvReflect.New(t).Elem()
	if s, ok := j.(string); ok && t.Kind() == rvReflect.Int32 && len([]rune(s)) == 1 {
		v.SetInt(int64([]rune(s)[0]))
		return v
	}
	n, ok := j.(rvJSON.Number)
	if !ok {
		rvDie("expected a number for " + t.String())
	}
	s := string(n)
	switch t.Kind() {
	case rvReflect.Float32, rvReflect.Float64:
		f, err := rvStrconv.ParseFloat(s, t.Bits())
		if err != nil {
			rvDie("bad float " + s)
		}
		v.SetFloat(f)
	case rvReflect.Uint, rvReflect.Uint8, rvReflect.Uint16, rvReflect.Uint32, rvReflect.Uint64, rvReflect.Uintptr:
		u, err := rvStrconv.ParseUint(s, 10, t.Bits())
		if err != nil {
			rvDie("expected an unsigned integer of " + rvItoa(t.Bits()) + " bits, got " + s)
		}
		v.SetUint(u)
	default:
		i, err := rvStrconv.ParseInt(s, 10, t.Bits())
		if err != nil {
			rvDie("expected an integer of " + rvItoa(t.Bits()) + " bits, got " + s)
		}
		v.SetInt(i)
	}
	return v
}

func rvItoa(n int) string { return rvStrconv.Itoa(n) }

func rvPlain(j interface{}) interface{} {
	switch x := j.(type) {
	case rvJSON.Number:
		if i, err := x.Int64(); err == nil && !rvStrings.ContainsAny(string(x), ".eE") {
			return int(i)
		}
		f, _ := x.Float64()
		return f
	case []interface{}:
		out := make([]interface{}, len(x))
		for i, e := range x {
			out[i] = rvPlain(e)
		}
		return out
	case map[string]interface{}:
		out := map[string]interface{}{}
		for k, e := range x {
			out[k] = rvPlain(e)
		}
		return out
	}
	return j
}

func rvFrom(j interface{}, t rvReflect.Type) rvReflect.Value {
	if j == nil {
		switch t.Kind() {
		case rvReflect.Slice, rvReflect.Map, rvReflect.Ptr, rvReflect.Interface:
			return rvReflect.Zero(t)
		}
		rvDie("null for a " + t.String() + " parameter")
	}
	switch t.Kind() {
	case rvReflect.Bool:
		b, ok := j.(bool)
		if !ok {
			rvDie("expected a boolean")
		}
		return rvReflect.ValueOf(b).Convert(t)
	case rvReflect.Int, rvReflect.Int8, rvReflect.Int16, rvReflect.Int32, rvReflect.Int64, rvReflect.Uint, rvReflect.Uint8, rvReflect.Uint16, rvReflect.Uint32, rvReflect.Uint64, rvReflect.Float32, rvReflect.Float64:
		return rvNumber(j, t)
	case rvReflect.String:
		s, ok := j.(string)
		if !ok {
			rvDie("expected a string")
		}
		return rvReflect.ValueOf(s).Convert(t)
	case rvReflect.Slice, rvReflect.Array:
		a, ok := j.([]interface{})
		if !ok {
			rvDie("expected an array for " + t.String())
		}
		var v rvReflect.Value
		if t.Kind() == rvReflect.Slice {
			v = rvReflect.MakeSlice(t, len(a), len(a))
		} else {
			if len(a) != t.Len() {
				rvDie("expected " + rvItoa(t.Len()) + " items for " + t.String())
			}
			v = rvReflect.New(t).Elem()
		}
		for i, e := range a {
			v.Index(i).Set(rvFrom(e, t.Elem()))
		}
		return v
	case rvReflect.Map:
		m := rvReflect.MakeMap(t)
		switch o := j.(type) {
		case map[string]interface{}:
			for k, e := range o {
				var key rvReflect.Value
				if t.Key().Kind() == rvReflect.String {
					key = rvReflect.ValueOf(k).Convert(t.Key())
				} else if t.Key().Kind() == rvReflect.Interface {
					key = rvReflect.ValueOf(k)
				} else {
					key = rvNumber(rvJSON.Number(k), t.Key())
				}
				m.SetMapIndex(key, rvFrom(e, t.Elem()))
			}
		case []interface{}:
			for _, p := range o {
				kv, ok := p.([]interface{})
				if !ok || len(kv) != 2 {
					rvDie("expected [key, value] pairs")
				}
				m.SetMapIndex(rvFrom(kv[0], t.Key()), rvFrom(kv[1], t.Elem()))
			}
		default:
			rvDie("expected an object for " + t.String())
		}
		return m
	case rvReflect.Ptr:
		p := rvReflect.New(t.Elem())
		p.Elem().Set(rvFrom(j, t.Elem()))
		return p
	case rvReflect.Interface:
		v := rvPlain(j)
		if v == nil {
			return rvReflect.Zero(t)
		}
		return rvReflect.ValueOf(v)
	}
	rvDie("unsupported parameter type " + t.String())
	return rvReflect.Value{}
}

const rvSafe = 1 << 53

func rvFloat(sb *rvStrings.Builder, f float64, bits int) {
	s := ""
	switch {
	case rvMath.IsNaN(f):
		s = "nan"
	case rvMath.IsInf(f, 1):
		s = "inf"
	case rvMath.IsInf(f, -1):
		s = "-inf"
	default:
		s = rvStrconv.FormatFloat(f, 'g', -1, bits)
	}
	sb.WriteString(`{"$float":"` + s + `"}`)
}

func rvTo(sb *rvStrings.Builder, v rvReflect.Value, depth int) {
	if depth > 1000 {
		rvDie("return value nested too deeply")
	}
	switch v.Kind() {
	case rvReflect.Invalid:
		sb.WriteString("null")
	case rvReflect.Interface, rvReflect.Ptr:
		if v.IsNil() {
			sb.WriteString("null")
		} else {
			rvTo(sb, v.Elem(), depth+1)
		}
	case rvReflect.Bool:
		sb.WriteString(rvStrconv.FormatBool(v.Bool()))
	case rvReflect.Int, rvReflect.Int8, rvReflect.Int16, rvReflect.Int32, rvReflect.Int64:
		i := v.Int()
		if i >= -rvSafe && i <= rvSafe {
			sb.WriteString(rvStrconv.FormatInt(i, 10))
		} else {
			sb.WriteString(`{"$int":"` + rvStrconv.FormatInt(i, 10) + `"}`)
		}
	case rvReflect.Uint, rvReflect.Uint8, rvReflect.Uint16, rvReflect.Uint32, rvReflect.Uint64, rvReflect.Uintptr:
		u := v.Uint()
		if u <= rvSafe {
			sb.WriteString(rvStrconv.FormatUint(u, 10))
		} else {
			sb.WriteString(`{"$int":"` + rvStrconv.FormatUint(u, 10) + `"}`)
		}
	case rvReflect.Float32, rvReflect.Float64:
		rvFloat(sb, v.Float(), v.Type().Bits())
	case rvReflect.String:
		b, _ := rvJSON.Marshal(v.String())
		sb.Write(b)
	case rvReflect.Slice, rvReflect.Array:
		sb.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				sb.WriteByte(',')
			}
			rvTo(sb, v.Index(i), depth+1)
		}
		sb.WriteByte(']')
	case rvReflect.Map:
		sb.WriteString(`{"$map":[`)
		for i, k := range v.MapKeys() {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteByte('[')
			rvTo(sb, k, depth+1)
			sb.WriteByte(',')
			rvTo(sb, v.MapIndex(k), depth+1)
			sb.WriteByte(']')
		}
		sb.WriteString("]}")
	default:
		rvDie("unsupported return type " + v.Type().String())
	}
}

func main() {
	in, _ := rvIO.ReadAll(rvOS.Stdin)
	nl := rvBytes.IndexByte(in, '\n')
	if nl < 0 {
		rvDie("no nonce")
	}
	nonce := string(in[:nl])
	dec := rvJSON.NewDecoder(rvBytes.NewReader(in[nl+1:]))
	dec.UseNumber()
	var args []interface{}
	if err := dec.Decode(&args); err != nil {
		rvDie("arguments are not a JSON array")
	}
	f := rvReflect.ValueOf(RV_FUNC)
	t := f.Type()
	if t.NumIn() != len(args) {
		rvDie("the function takes " + rvItoa(t.NumIn()) + " arguments, the test gives " + rvItoa(len(args)))
	}
	vals := make([]rvReflect.Value, len(args))
	for i := range args {
		vals[i] = rvFrom(args[i], t.In(i))
	}
	var out []rvReflect.Value
	if t.IsVariadic() {
		out = f.CallSlice(vals)
	} else {
		out = f.Call(vals)
	}
	var sb rvStrings.Builder
	switch len(out) {
	case 0:
		sb.WriteString("null")
	case 1:
		rvTo(&sb, out[0], 0)
	default:
		sb.WriteString(`{"$tuple":[`)
		for i, o := range out {
			if i > 0 {
				sb.WriteByte(',')
			}
			rvTo(&sb, o, 0)
		}
		sb.WriteString("]}")
	}
	res := rvOS.NewFile(4, "result")
	if _, err := res.WriteString(nonce + " " + sb.String() + "\n"); err != nil {
		rvDie("cannot write the result")
	}
	rvOS.Exit(0)
}
