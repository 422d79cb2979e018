import { TableCell, TableSortLabel } from '@mui/material';

export function SortHeader<S extends string>({
  label,
  column,
  sort,
  order,
  onSort,
}: {
  label: string;
  column: S;
  sort: S;
  order: 'asc' | 'desc';
  onSort(column: S): void;
}) {
  const active = column === sort;
  return (
    <TableCell sortDirection={active ? order : false}>
      <TableSortLabel active={active} direction={active ? order : 'asc'} onClick={() => onSort(column)}>
        {label}
      </TableSortLabel>
    </TableCell>
  );
}

/** Click a column: sort by it ascending; click again: reverse. */
export function nextSort<S extends string>(
  column: S,
  sort: S,
  order: 'asc' | 'desc',
): { sort: S; order: 'asc' | 'desc' } {
  return column === sort ? { sort, order: order === 'asc' ? 'desc' : 'asc' } : { sort: column, order: 'asc' };
}
