// Package format holds the few constants that the generator (schema/internal/build)
// and the decoder (package schema) must agree on, so that the layout of data.bin is
// written down once.
//
// Layout of the blob, all integers little-endian; "uv" is an unsigned varint:
//
//	header   Magic, u32 nTypes, u32 typeTableOff, u32 nNodes, u32 nodeTableOff
//	strings  uv len, bytes ... (a string is referred to by its absolute offset)
//	nodes    one per shape, see below (a node is referred to by its index)
//	records  one per resource type, see below
//	nodeTab  nNodes x u32: absolute offset of each node
//	typeTab  nTypes x (u32 name string offset, u32 record offset), sorted by name
//
// A node is a kind byte followed by:
//
//	KindAny, KindBoolean       nothing
//	KindString, Integer, Number uv nEnum, nEnum x uv string, byte 1 if the enum ignores case,
//	                           then for a string uv minLength, uv maxLength (0: none), for a
//	                           number uv minimum, uv maximum (string offset + 1, 0: none)
//	KindList, KindMap          uv item node
//	KindObject                 uv nProps, nProps x (uv name string, uv node) sorted by name,
//	                           uv nRequired, nRequired x uv string (sorted),
//	                           uv nChoices, nChoices x (byte 1 for "exactly one of", 0 for
//	                           "at least one of", uv nNames, nNames x uv string)
//	KindUnion                  uv nAlts, nAlts x uv node
//
// A record is uv root node (an Object) followed by the string lists of
// RecordLists, in that order, each as uv n, n x uv string.
package format

// Magic opens the blob; its last byte is the format version.
const Magic = "RGSCHEM\x03"

// HeaderSize is len(Magic) plus four u32 fields.
const HeaderSize = len(Magic) + 16

// Node kinds as stored; package schema's Kind uses the same numbers.
const (
	KindAny byte = iota
	KindString
	KindInteger
	KindNumber
	KindBoolean
	KindList
	KindObject
	KindMap
	KindUnion
)

// RecordLists names the string lists of a record, in stored order.
var RecordLists = [...]string{"Attributes", "ReadOnly", "CreateOnly", "WriteOnly", "Deprecated"}
