"""Seed streams for fuzz-npu-validate: bodies of streams the validator
accepts (the layout of fuzz_npu_validate.c: one byte whose low three bits
are not all zero, then the body's little-endian words; the target adds the
header for an npu8-64k with regions of 4096, 65536, 4096 and 4096 bytes).

npu_seeds.py OUT_DIR writes conv.bin (loads, a 3x3 convolution waiting on
them, a store waiting on it) and vector.bin (FC, DWCONV, LUT, pools,
elementwise ops on one vector).
"""
import os
import struct
import sys

REGS = ["IFM_ADDR", "IFM_H", "IFM_W", "IFM_C", "IFM_ZP", "OFM_ADDR", "OFM_H",
        "OFM_W", "OFM_C", "OFM_ZP", "KERNEL", "STRIDE", "PAD", "WEIGHT_ADDR",
        "BIAS_ADDR", "SCALE_ADDR", "ACT", "IFM2_ADDR", "IFM2_ZP", "ELT_M1",
        "ELT_S1", "ELT_M2", "ELT_S2", "POOL_M", "POOL_S"]


class Body:
    def __init__(self):
        self.words = []

    def reg(self, name, value):
        self.words += [0x01 << 24 | REGS.index(name), value & 0xFFFFFFFF]
        return self

    def op(self, opcode, wait=0, signal=0, sub=0):
        self.words.append(opcode << 24 | 1 << 20 | sub << 16 | wait << 8 | signal)
        return self

    def dma(self, load, region, offset, sram, row, rows=1, stride=0, wait=0,
            signal=0):
        self.words += [(0x10 if load else 0x11) << 24 | wait << 8 | signal,
                       region, offset, sram, row, rows, stride]
        return self

    def end(self):
        self.words.append(0x7F << 24)
        return self

    def bytes(self):
        return b"\x01" + struct.pack(f"<{len(self.words)}I", *self.words)


def conv():
    b = Body()
    b.dma(True, 2, 0, 0, 128).dma(True, 0, 0, 256, 576)
    b.dma(True, 0, 576, 1024, 32).dma(True, 0, 608, 1088, 64, signal=1)
    for name, v in [("IFM_ADDR", 0), ("IFM_H", 4), ("IFM_W", 4), ("IFM_C", 8),
                    ("IFM_ZP", -3), ("OFM_ADDR", 1280), ("OFM_H", 4),
                    ("OFM_W", 4), ("OFM_C", 8), ("OFM_ZP", 5),
                    ("KERNEL", 0x303), ("STRIDE", 0x101), ("PAD", 0x01010101),
                    ("WEIGHT_ADDR", 256), ("BIAS_ADDR", 1024),
                    ("SCALE_ADDR", 1088), ("ACT", 0x7F8000)]:
        b.reg(name, v)
    b.op(0x20, wait=1, signal=2)
    b.dma(False, 3, 0, 1280, 128, wait=2)
    return b.end().bytes()


def vector():
    b = Body()
    b.dma(True, 1, 0, 0, 8192, signal=1)
    b.op(0x25, wait=1)
    b.words.append(4096)  # LUT_LOAD's payload
    for name, v in [("IFM_ADDR", 0), ("IFM_H", 1), ("IFM_W", 1), ("IFM_C", 32),
                    ("IFM_ZP", 0), ("OFM_ADDR", 16384), ("OFM_H", 1),
                    ("OFM_W", 1), ("OFM_C", 32), ("OFM_ZP", 0),
                    ("KERNEL", 0x101), ("STRIDE", 0x101), ("PAD", 0),
                    ("WEIGHT_ADDR", 1024), ("BIAS_ADDR", 2048),
                    ("SCALE_ADDR", 3072), ("ACT", 0x7F8001),
                    ("POOL_M", 1 << 23), ("POOL_S", 23), ("IFM2_ADDR", 512),
                    ("IFM2_ZP", 0), ("ELT_M1", 1 << 23), ("ELT_S1", 23),
                    ("ELT_M2", 1 << 23), ("ELT_S2", 23)]:
        b.reg(name, v)
    b.op(0x22).op(0x21).op(0x23).op(0x23, sub=1).op(0x24).op(0x24, sub=1,
                                                             signal=2)
    b.dma(False, 3, 0, 16384, 32, wait=2)
    return b.end().bytes()


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, data in (("conv.bin", conv()), ("vector.bin", vector())):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
