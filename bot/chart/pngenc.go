package chart

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"io"
)

// encodePNG writes an opaque RGBA image as an 8-bit RGB PNG, every row with
// the Up filter and zlib at its fastest setting. image/png tries all five
// filters on every row to save bytes; on a chart, whose rows mostly repeat
// the one above, Up alone is as small and the encoder runs about twice as
// fast, which is most of the time a progress card takes.
func encodePNG(w io.Writer, img *image.RGBA) error {
	b := img.Bounds()
	width, height := b.Dx(), b.Dy()
	var hdr [13]byte
	binary.BigEndian.PutUint32(hdr[0:], uint32(width))
	binary.BigEndian.PutUint32(hdr[4:], uint32(height))
	hdr[8], hdr[9] = 8, 2 // 8 bits a sample, truecolour; compression, filter, interlace 0

	var idat bytes.Buffer
	zw, err := zlib.NewWriterLevel(&idat, zlib.BestSpeed)
	if err != nil {
		return fmt.Errorf("encode chart PNG: %w", err)
	}
	prev := make([]byte, 3*width)
	row := make([]byte, 1+3*width)
	row[0] = 2 // Up
	for y := 0; y < height; y++ {
		pix := img.Pix[(y+b.Min.Y-img.Rect.Min.Y)*img.Stride:]
		for x := 0; x < width; x++ {
			for c := 0; c < 3; c++ {
				v := pix[4*x+c]
				row[1+3*x+c] = v - prev[3*x+c]
				prev[3*x+c] = v
			}
		}
		if _, err := zw.Write(row); err != nil {
			return fmt.Errorf("encode chart PNG: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("encode chart PNG: %w", err)
	}

	out := bytes.NewBuffer(make([]byte, 0, idat.Len()+64))
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk(out, "IHDR", hdr[:])
	chunk(out, "IDAT", idat.Bytes())
	chunk(out, "IEND", nil)
	if _, err := out.WriteTo(w); err != nil {
		return fmt.Errorf("write chart PNG: %w", err)
	}
	return nil
}

// chunk appends one PNG chunk: length, type, data, CRC of type and data.
func chunk(out *bytes.Buffer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	out.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	out.WriteString(typ)
	out.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	out.Write(n[:])
}
