import './app/theme.css';
import { mount } from 'svelte';
import App from './app/App.svelte';
import { applyStoredTheme } from './app/theme';

applyStoredTheme();
mount(App, { target: document.getElementById('app')! });
