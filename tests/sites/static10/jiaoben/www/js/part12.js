var part12 = 12; function f12() { return part12; }
