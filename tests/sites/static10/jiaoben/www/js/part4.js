var part4 = 4; function f4() { return part4; }
