var part8 = 8; function f8() { return part8; }
