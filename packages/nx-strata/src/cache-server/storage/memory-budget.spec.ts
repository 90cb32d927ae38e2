import { MemoryBudget } from './memory-budget';

describe('MemoryBudget', () => {
  it('grants reservations while they fit, per artifact and in total, and takes them back once', () => {
    const budget = new MemoryBudget(100, 60);
    expect(budget.reserve(61)).toBeUndefined();
    const first = budget.reserve(60);
    expect(first).toBeDefined();
    expect(budget.reserve(41)).toBeUndefined();
    const second = budget.reserve(40);
    expect(budget.heldBytes).toBe(100);
    first?.();
    first?.();
    expect(budget.heldBytes).toBe(40);
    second?.();
    expect(budget.heldBytes).toBe(0);
  });

  it('refuses sizes it cannot know', () => {
    const budget = new MemoryBudget();
    expect(budget.reserve(Number.NaN)).toBeUndefined();
    expect(budget.reserve(-1)).toBeUndefined();
  });
});
