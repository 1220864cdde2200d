var part9 = 9; function f9() { return part9; }
