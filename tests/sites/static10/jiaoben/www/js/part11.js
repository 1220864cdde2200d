var part11 = 11; function f11() { return part11; }
