package apk

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha512"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"os"
	"sort"
)

// Signer signs ADB blocks as apk verifies them: an ECDSA P-256 key (OpenWrt's
// kind), a signature block {version 0, hash SHA-512, 16-byte key id, DER
// signature} over sha512(schema ‖ those 18 bytes ‖ sha512(ADB payload)).
type Signer struct {
	key *ecdsa.PrivateKey
	id  [16]byte
}

// NewSigner wraps a P-256 private key.
func NewSigner(key *ecdsa.PrivateKey) (*Signer, error) {
	if key.Curve != elliptic.P256() {
		return nil, fmt.Errorf("apk: signing key is not P-256 (OpenWrt's apk keys are prime256v1)")
	}
	id, err := KeyID(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	return &Signer{key: key, id: id}, nil
}

// LoadSigner reads a PEM private key: "EC PRIVATE KEY" (openssl ecparam) or
// PKCS#8 "PRIVATE KEY" (openssl genpkey).
func LoadSigner(file string) (*Signer, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("%s: no PEM block", file)
	}
	var key any
	switch blk.Type {
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(blk.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(blk.Bytes)
	default:
		return nil, fmt.Errorf("%s: a %q PEM block, not a private key", file, blk.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	ec, ok := key.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s: not an ECDSA key", file)
	}
	s, err := NewSigner(ec)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return s, nil
}

// PublicPEM is the public key as apk reads it from /etc/apk/keys/.
func (s *Signer) PublicPEM() ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(&s.key.PublicKey)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// KeyID is how apk names a key in a signature: the first 16 bytes of the
// sha512 of the public key as OpenSSL's i2d_PublicKey writes it (for EC, the
// uncompressed point).
func KeyID(pub *ecdsa.PublicKey) ([16]byte, error) {
	k, err := pub.ECDH()
	if err != nil {
		return [16]byte{}, err
	}
	sum := sha512.Sum512(k.Bytes())
	var id [16]byte
	copy(id[:], sum[:16])
	return id, nil
}

// hashSHA512 is apk's APK_DIGEST_SHA512.
const hashSHA512 = 0x04

// SignedData is what a v0 signature covers, hashed with SHA-512 by the
// signature scheme: the schema, the signature header and sha512 of the ADB payload.
func SignedData(schema uint32, hdr []byte, adb []byte) []byte {
	md := sha512.Sum512(adb)
	b := binary.LittleEndian.AppendUint32(nil, schema)
	b = append(b, hdr...)
	return append(b, md[:]...)
}

// sign returns a signature block's payload for the ADB payload adb.
func (s *Signer) sign(schema uint32, adb []byte) ([]byte, error) {
	hdr := append([]byte{0, hashSHA512}, s.id[:]...)
	digest := sha512.Sum512(SignedData(schema, hdr, adb))
	sig, err := ecdsa.SignASN1(rand.Reader, s.key, digest[:])
	if err != nil {
		return nil, err
	}
	return append(hdr, sig...), nil
}

// Indexed is one package for an index: its file's bytes.
type Indexed struct {
	Package *Package
	File    []byte
}

// Index returns a repository index (packages.adb): each package's info with
// its file size and identity (the sha256 of its ADB block, which apk checks
// on download), sorted by name, version and identity; signed when s is not nil.
func Index(description string, pkgs []Indexed, s *Signer) ([]byte, error) {
	type entry struct {
		p  *Package
		id [32]byte
		n  int
	}
	var es []entry
	for _, ix := range pkgs {
		id, err := Identity(ix.File)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ix.Package.Name, err)
		}
		es = append(es, entry{ix.Package, id, len(ix.File)})
	}
	sort.Slice(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if a.p.Name != b.p.Name {
			return a.p.Name < b.p.Name
		}
		if a.p.Version != b.p.Version {
			return a.p.Version < b.p.Version
		}
		return string(a.id[:]) < string(b.id[:])
	})
	t := newTree()
	var items []val
	for _, e := range es {
		items = append(items, e.p.info(t, func(s []val) {
			s[piHashes] = t.blob(e.id[:])
			s[piFileSize] = t.int(uint64(e.n))
		}))
	}
	adb := t.root(t.object([]val{0, t.str(description), t.array(items)}))
	raw := append(header(schemaIndex), block(nil, blockADB, adb)...)
	if s != nil {
		sig, err := s.sign(schemaIndex, adb)
		if err != nil {
			return nil, err
		}
		raw = block(raw, blockSig, sig)
	}
	return compress(raw, nil, nil)
}
